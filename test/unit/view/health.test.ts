import { expect } from 'chai';
import { diskHealth, dropHealth, HEALTH_THRESHOLDS, queueHealth, recordFpsHealth } from '../../../src/view/health.js';

describe('view health levels', () => {
  it('judges record fps against capture fps', () => {
    expect(recordFpsHealth(30, null, null)).to.equal('idle');
    expect(recordFpsHealth(30, 30, 10)).to.equal('ok');
    expect(recordFpsHealth(30, 29, 10)).to.equal('ok');
    expect(recordFpsHealth(30, 28, 10)).to.equal('warn');
    expect(recordFpsHealth(30, 20, 10)).to.equal('bad');
    expect(recordFpsHealth(0, 0, 10)).to.equal('bad');
  });

  it('does not judge the record rate in the first seconds of a trial', () => {
    expect(recordFpsHealth(30, 12, HEALTH_THRESHOLDS.recordFpsWarmupSeconds - 0.5)).to.equal('ok');
    expect(recordFpsHealth(30, 12, HEALTH_THRESHOLDS.recordFpsWarmupSeconds)).to.equal('bad');
  });

  it('warns on a deep or growing writer queue', () => {
    expect(queueHealth(0, 0)).to.equal('ok');
    expect(queueHealth(HEALTH_THRESHOLDS.queueWarnFrames, HEALTH_THRESHOLDS.queueWarnFrames)).to.equal('warn');
    expect(queueHealth(3, 0)).to.equal('warn');
    expect(queueHealth(2, 4)).to.equal('ok');
    expect(queueHealth(HEALTH_THRESHOLDS.queueBadFrames, 0)).to.equal('bad');
  });

  it('counts only recent drops', () => {
    expect(dropHealth(12, 12)).to.equal('ok');
    expect(dropHealth(13, 12)).to.equal('warn');
    expect(dropHealth(12 + HEALTH_THRESHOLDS.dropsBadPerWindow, 12)).to.equal('bad');
  });

  it('follows the disk guard level, then the recording time left', () => {
    expect(diskHealth(null, null)).to.equal('idle');
    expect(diskHealth('ok', null)).to.equal('ok');
    expect(diskHealth('ok', 3 * 3600)).to.equal('ok');
    expect(diskHealth('ok', 10 * 60)).to.equal('warn');
    expect(diskHealth('ok', 60)).to.equal('bad');
    expect(diskHealth('warn', 3 * 3600)).to.equal('warn');
    expect(diskHealth('critical', 3 * 3600)).to.equal('bad');
  });
});
