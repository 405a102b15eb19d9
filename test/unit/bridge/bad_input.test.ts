import { expect } from 'chai';
import { ASSIGN, startHarness, type Harness } from '../../helpers/module_harness.js';
import { CANONICAL_COMMANDS, COMMAND_ALIASES } from '../../../src/bridge/commands.js';

/** A small deterministic generator so a failure can be replayed. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

interface Case { readonly name: string; readonly payload: Record<string, unknown>; readonly field: string }

const WRONG_TYPED: Case[] = [
  ...['1', -1, 0, 1.5, true, null, {}, []].map((v) => ({ name: 'record', payload: { trial_number: v }, field: 'trial_number' })),
  ...[1, '', {}, [], false].map((v) => ({ name: 'start_recording', payload: { session_prefix: v }, field: 'session_prefix' })),
  ...[1, [], '', null].map((v) => ({ name: 'record', payload: { output_dir: v }, field: 'output_dir' })),
  ...[5, {}, []].map((v) => ({ name: 'record', payload: { trial_label: v }, field: 'trial_label' })),
  ...['x', 1, [], null].map((v) => ({ name: 'assign_device', payload: { ...ASSIGN, camera_id: v }, field: 'camera_id' })),
  ...[{ backend: 1, stable_id: 'a' }, { backend: '', stable_id: 'a' }].map((v) => ({ name: 'assign_device', payload: { ...ASSIGN, camera_id: v }, field: 'camera_id.backend' })),
  ...[1, '', null].map((v) => ({ name: 'assign_device', payload: { ...ASSIGN, descriptor: { name: 'n', device_path: v } }, field: 'descriptor.device_path' })),
  { name: 'assign_device', payload: { descriptor: ASSIGN.descriptor }, field: 'camera_id' },
  { name: 'assign_device', payload: { camera_id: ASSIGN.camera_id }, field: 'descriptor' },
  { name: 'assign_device', payload: { ...ASSIGN, descriptor: { name: 'n' } }, field: 'descriptor.device_path' },
  { name: 'control_change', payload: { control: 'gain' }, field: 'value' },
  { name: 'control_change', payload: { value: 1 }, field: 'control' },
  ...[[], {}, null].map((v) => ({ name: 'control_change', payload: { control: 'gain', value: v }, field: 'value' })),
  ...[-5, 'x', 1.5].map((v) => ({ name: 'apply_config', payload: { telemetry: { emit_interval_ms: v } }, field: 'telemetry.emit_interval_ms' })),
  ...['fast', 0, 1000].map((v) => ({ name: 'apply_config', payload: { record: { fps: v } }, field: 'record.fps' })),
  { name: 'apply_config', payload: { record: { codec: 'vp9' } }, field: 'record.codec' },
  { name: 'apply_config', payload: { record: { jpeg_quality: 101 } }, field: 'record.jpeg_quality' },
  { name: 'apply_config', payload: { ffmpeg: { path: '/bin/sh' } }, field: 'ffmpeg' },
  ...[1, '', []].map((v) => ({ name: 'start_session', payload: { session_id: v }, field: 'session_id' })),
  ...[1, {}].map((v) => ({ name: 'pause', payload: { command_id: v }, field: 'command_id' })),
  // Control characters would land raw in the timing/metadata CSV and in file names.
  ...['a\nb', 'nul\u0000', 'cr\r', 'tab\t', 'del\u007f', 'c1\u0085'].map((v) => ({ name: 'record', payload: { trial_label: v }, field: 'trial_label' })),
  { name: 'record', payload: { session_prefix: 'lab\n1' }, field: 'session_prefix' },
  { name: 'start_session', payload: { session_id: 's\u0000' }, field: 'session_id' },
  { name: 'assign_device', payload: { ...ASSIGN, descriptor: { ...ASSIGN.descriptor, name: 'cam\nera' } }, field: 'descriptor.name' },
  { name: 'assign_device', payload: { ...ASSIGN, camera_id: { backend: 'usb', stable_id: 'usb1\n' } }, field: 'camera_id.stable_id' },
  { name: 'assign_device', payload: { device_id: 'usb:1', camera_dev_path: '/dev/video0', display_name: 'a\rb' }, field: 'display_name' },
  { name: 'apply_config', payload: { storage: { session_prefix: 'p\n' } }, field: 'storage.session_prefix' },
];

/** Commands whose payload needs fields, with a valid minimum, so only the added field is wrong. */
const MINIMAL_VALID: Record<string, Record<string, unknown>> = {
  assign_device: ASSIGN,
  control_change: { control: 'gain', value: 1 },
  set_log_level: { level: 'info' },
  toggle_preview: { enabled: true },
  set_resolution: { width: 640, height: 480 },
  set_fps: { fps: 30 },
};

function generatedCases(): Case[] {
  const rand = lcg(20261122);
  const word = (): string => Array.from({ length: 3 + Math.floor(rand() * 10) }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');
  const names = [...CANONICAL_COMMANDS, ...Object.keys(COMMAND_ALIASES)];
  const cases: Case[] = [];
  for (let i = 0; i < 160; i += 1) {
    cases.push({ name: `x_${word()}`, payload: {}, field: 'command' });
  }
  for (const name of names) {
    for (let i = 0; i < 10; i += 1) {
      const extra = `zz_${word()}`;
      const base = MINIMAL_VALID[name] ?? {};
      cases.push({ name, payload: { ...base, [extra]: rand() > 0.5 ? word() : rand() }, field: extra });
    }
  }
  return cases;
}

describe('bad input: every malformed command is answered, nothing crashes', () => {
  let h: Harness;
  beforeEach(async () => { h = await startHarness(); });
  afterEach(async () => { await h.close(); });

  const cases = [...WRONG_TYPED, ...generatedCases()];

  it(`answers ${cases.length} malformed commands with one error each naming command and field, then still works`, async () => {
    expect(cases.length).to.be.greaterThan(300);
    for (const c of cases) {
      const out = await h.send(c.name, c.payload);
      expect(out, `${c.name} ${JSON.stringify(c.payload)}`).to.have.length(1);
      const [err] = out;
      expect(err?.status, JSON.stringify(c)).to.equal('error');
      if (err?.status !== 'error') continue;
      expect(err.data.field, JSON.stringify(c)).to.equal(c.field);
      expect(err.data.command, JSON.stringify(c)).to.equal(c.name);
      expect(err.data.code).to.be.oneOf([-1001, -1002]);
      expect(err.data.error).to.include(c.field === 'command' ? 'Unknown command' : c.field);
    }
    await h.send('assign_device', ASSIGN);
    const [started] = await h.send('record');
    expect(started?.status).to.equal('recording_started');
  });

  it('answers input that is not a command (not JSON, not an object) with an error naming the problem', async () => {
    const problems = ['line is not valid JSON: {nope', 'line must be a JSON object, got an array', "missing field 'command' (a non-empty string)"];
    for (const problem of problems) {
      h.bus.emit('invalid_input', problem);
      await h.handle.idle();
      const err = h.statuses.at(-1);
      expect(err?.status === 'error' && err.data).to.include({ command: null, error: problem, code: -1002, field: 'line' });
    }
  });

  it('answers names of Object.prototype members (__proto__, constructor, ...) as unknown commands, -1001', async () => {
    for (const name of ['__proto__', 'constructor', 'CONSTRUCTOR', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__']) {
      const out = await h.send(name, { command_id: `p-${name}` });
      expect(out, name).to.have.length(1);
      const [err] = out;
      expect(err?.status === 'error' && err.data, name).to.include({ command: name, code: -1001, field: 'command' });
      expect(err?.command_id, name).to.equal(`p-${name}`);
    }
  });

  it('refuses a control character in a label with a message saying so, and accepts other Unicode, commas and quotes', async () => {
    await h.send('assign_device', ASSIGN);
    const [refused] = await h.send('record', { trial_label: 'first\nsecond' });
    expect(refused?.status === 'error' && refused.data.error).to.include('control characters');
    const [started] = await h.send('record', { trial_label: 'Bäckerei, "größe" 😀 – ok' });
    expect(started?.status).to.equal('recording_started');
  });

  it('matches command names case-insensitively', async () => {
    const [status] = await h.send('GET_STATUS');
    expect(status?.status).to.equal('status_report');
  });
});
