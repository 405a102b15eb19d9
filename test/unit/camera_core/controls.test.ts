import { expect } from 'chai';
import { validateControl } from '../../../src/camera_core/controls/control_values.js';
import { afterSet, applyOrder, inactiveNote } from '../../../src/camera_core/controls/control_dependencies.js';
import { parseListCtrls } from '../../../src/camera_core/v4l2/ctrls_parser.js';
import type { ModuleError } from '../../../src/errors/codes.js';
import { cameraFixture } from '../../helpers/camera_fixtures.js';

const c920 = parseListCtrls(cameraFixture('logitech_c920/video0.ctrls.txt'));
const c920Old = parseListCtrls(cameraFixture('logitech_c920_h264_rpi/video0.ctrls.txt'));

function failure(fn: () => unknown): ModuleError {
  try {
    fn();
  } catch (err) {
    return err as ModuleError;
  }
  throw new Error('expected a failure');
}

describe('camera control validation', () => {
  it('names the known controls when the control is unknown (-1014)', () => {
    const error = failure(() => validateControl(c920, 'iris_absolute', 3));
    expect(error.code).to.equal(-1014);
    expect(error.message).to.match(/^Unknown control 'iris_absolute'; this camera has: brightness, contrast, /);
    expect(failure(() => validateControl([], 'brightness', 1)).message).to.contain('this camera reports no controls');
  });

  it('states the range and step of an integer control that is out of range or off-step', () => {
    expect(failure(() => validateControl(c920, 'brightness', 300)).message).to.equal('brightness must be an integer from 0 to 255; got 300');
    expect(failure(() => validateControl(c920, 'brightness', 1.5)).field).to.equal('value');
    expect(failure(() => validateControl(c920, 'pan_absolute', 100)).message).to.equal('pan_absolute must be an integer from -36000 to 36000 in steps of 3600; got 100');
    expect(validateControl(c920, 'pan_absolute', -7200)).to.include({ v4l2Value: -7200, value: -7200 });
    expect(validateControl(c920, 'brightness', '40')).to.include({ v4l2Value: 40 });
  });

  it('states the menu items of a menu control, and accepts an item by value or label', () => {
    const error = failure(() => validateControl(c920, 'auto_exposure', 2));
    expect(error.message).to.equal('auto_exposure must be one of 1 (Manual Mode), 3 (Aperture Priority Mode); got 2');
    expect(error.data).to.deep.include({ control: 'auto_exposure', menu: [{ value: 1, label: 'Manual Mode' }, { value: 3, label: 'Aperture Priority Mode' }] });
    expect(validateControl(c920, 'auto_exposure', 'manual mode')).to.include({ v4l2Value: 1, value: 1 });
    expect(validateControl(c920, 'power_line_frequency', 1)).to.include({ v4l2Value: 1 });
  });

  it('takes booleans as true/false or 1/0 and sets them as 1/0', () => {
    expect(validateControl(c920, 'focus_automatic_continuous', false)).to.include({ v4l2Value: 0, value: false });
    expect(validateControl(c920, 'focus_automatic_continuous', 1)).to.include({ v4l2Value: 1, value: true });
    expect(failure(() => validateControl(c920, 'focus_automatic_continuous', 2)).message).to.contain('true or false');
  });

  it('matches old and new kernel names either way, keeping the camera\'s own spelling', () => {
    expect(validateControl(c920, 'exposure_absolute', 100).control.name).to.equal('exposure_time_absolute');
    expect(validateControl(c920Old, 'exposure_time_absolute', 100).control.name).to.equal('exposure_absolute');
    expect(validateControl(c920Old, 'auto_exposure', 1).control.name).to.equal('exposure_auto');
  });

  it('refuses read-only controls', () => {
    const readOnly = [{ name: 'pixel_rate', type: 'int' as const, min: 0, max: 10, step: 1, flags: ['read-only'] }];
    expect(failure(() => validateControl(readOnly, 'pixel_rate', 1)).message).to.equal("Control 'pixel_rate' is read-only");
  });
});

describe('camera control dependencies', () => {
  it('says a manual exposure waits for auto exposure to be off, in the camera\'s spelling', () => {
    const exposure = c920.find((c) => c.name === 'exposure_time_absolute');
    expect(inactiveNote(c920, exposure!)).to.equal(
      'exposure_time_absolute takes effect only while auto_exposure is 1 (Manual Mode) or 2 (Shutter Priority Mode); ' +
      'it is 3 (Aperture Priority Mode), so the camera keeps the value and uses it once auto_exposure is changed');
    const oldExposure = c920Old.find((c) => c.name === 'exposure_absolute');
    expect(inactiveNote(c920Old, oldExposure!)).to.match(/^exposure_absolute takes effect only while exposure_auto is 1/);
  });

  it('tracks the switch: after auto_exposure = 1 the manual value is in effect and no longer inactive', () => {
    const autoExposure = c920.find((c) => c.name === 'auto_exposure')!;
    const manual = afterSet(c920, autoExposure, 1);
    const exposure = manual.find((c) => c.name === 'exposure_time_absolute')!;
    expect(exposure.flags).to.deep.equal([]);
    expect(inactiveNote(manual, exposure)).to.equal(null);
    const back = afterSet(manual, manual.find((c) => c.name === 'auto_exposure')!, 3);
    expect(back.find((c) => c.name === 'exposure_time_absolute')?.flags).to.deep.equal(['inactive']);
    expect(back.find((c) => c.name === 'auto_exposure')?.value).to.equal(3);
  });

  it('falls back to the camera\'s inactive flag for controls outside the table', () => {
    const controls = [{ name: 'iris_absolute', type: 'int' as const, min: 0, max: 10, step: 1, value: 0, flags: ['inactive'] }];
    expect(inactiveNote(controls, controls[0]!)).to.contain('reports iris_absolute as inactive');
  });

  it('applies automatic switches before the manual values they gate', () => {
    expect(applyOrder(['exposure_absolute', 'brightness', 'exposure_auto', 'focus_absolute', 'focus_automatic_continuous']))
      .to.deep.equal(['exposure_auto', 'focus_automatic_continuous', 'exposure_absolute', 'brightness', 'focus_absolute']);
  });
});
