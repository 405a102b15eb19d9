import path from 'node:path';
import { ModuleError } from '../errors/codes.js';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { CameraIdentity } from '../camera_core/types.js';
import type { TrialRecorder, TrialSummary } from '../storage/types.js';
import { resolveSessionPaths } from '../storage/session_paths.js';
import type { CamerasRuntime } from './runtime.js';
import type { ParsedCommand } from './commands.js';
import { CameraSession } from './camera_session.js';
import { placeTrial } from './trial_paths.js';
import { describeStatus } from './status_report.js';

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** One handler per canonical command; the runtime has already validated and state-checked it. */
export class CommandHandlers {
  constructor(private readonly rt: CamerasRuntime) {}

  async dispatch(command: ParsedCommand): Promise<void> {
    switch (command.canonical) {
      case 'assign_device': return this.assign(command.payload);
      case 'unassign_device': return this.unassign();
      case 'unassign_all_devices': return this.unassignAll();
      case 'start_recording': return this.startRecording(command.payload);
      case 'stop_recording': return this.rt.finishTrial('command');
      case 'resume_recording': return this.resume();
      case 'start_session': return this.startSession(command.payload);
      case 'stop_session': return this.stopSession();
      case 'apply_config': return this.applyConfig(command.payload);
      case 'control_change': return this.controlChange(command.payload);
      case 'reprobe': return this.reprobe();
      case 'get_status': return this.rt.reporter.report('status_report', describeStatus(this.rt));
      case 'quit': return this.quit();
    }
  }

  private async assign(payload: CommandPayloads['assign_device']): Promise<void> {
    const identity: CameraIdentity = {
      backend: payload.camera_id.backend,
      stableId: payload.camera_id.stable_id,
      name: payload.descriptor.name,
      devicePath: payload.descriptor.device_path,
      usbPath: payload.descriptor.usb_path ?? null,
    };
    const cameraId = `${identity.backend}:${identity.stableId}`;
    await this.rt.releaseCamera('device_replaced');
    try {
      this.rt.ffmpeg.require();
      const camera = await CameraSession.open(identity, cameraId, this.rt.config.current, this.rt.probe, this.rt.captureFactory);
      this.rt.attachCamera(camera);
      this.reportReady(camera);
    } catch (err) {
      const error = err instanceof ModuleError ? err : new ModuleError('DEVICE_FAILED', String(err), { cause: err });
      this.rt.reporter.report('device_error', { camera_id: cameraId, device_id: cameraId, error: error.message, code: error.code });
    }
  }

  private reportReady(camera: CameraSession): void {
    const { captureMode, recordMode, previewMode, passthrough, reason } = camera.selection;
    this.rt.reporter.report('device_ready', {
      camera_id: camera.cameraId, device_id: camera.deviceId, name: camera.identity.name,
      device_path: camera.identity.devicePath, resolution: `${captureMode.width}x${captureMode.height}`,
      fps: captureMode.fps, capture_mode: captureMode, record_mode: recordMode, preview_mode: previewMode,
      passthrough, mode_reason: reason,
    });
  }

  private async unassign(): Promise<void> {
    await this.rt.releaseCamera('command');
  }

  private async unassignAll(): Promise<void> {
    const released = await this.rt.releaseCamera('shutdown');
    this.rt.reporter.report('device_unassigned', { released: released ? [released] : [] });
  }

  private async startRecording(payload: CommandPayloads['start_recording']): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    const config = this.rt.config.current;
    const placement = placeTrial(payload, config, this.rt.session);
    await this.refuseIfDiskLow(placement.baseDir);
    const paths = resolveSessionPaths({
      basePath: placement.baseDir,
      sessionPrefix: placement.sessionPrefix,
      cameraLabel: camera.identity.name || camera.identity.stableId,
      perCameraSubdir: config.storage.per_camera_subdir,
    });
    const { captureMode, recordMode } = camera.selection;
    const trial = await this.rt.trialFactory.start({
      context: {
        cameraId: camera.cameraId, backend: camera.identity.backend, stableId: camera.identity.stableId,
        name: camera.identity.name, devicePath: camera.identity.devicePath, sessionId: this.rt.session.id,
        trialNumber: placement.trialNumber, trialLabel: payload.trial_label ?? null,
        captureMode, recordMode, ffmpegVersion: this.rt.ffmpeg.require().version,
      },
      paths,
      writer: {
        codec: config.record.codec, jpegQuality: config.record.jpeg_quality, h264Crf: config.record.h264_crf,
        forceReencode: config.record.force_reencode, queueMaxFrames: config.capture.queue_max_frames,
      },
    });
    this.rt.pausedTrial = null;
    this.rt.trial = trial;
    this.rt.session.lastTrial = placement.trialNumber;
    this.rt.watchTrial(trial);
    this.rt.reporter.report('recording_started', {
      camera_id: camera.cameraId, session_id: this.rt.session.id, trial_number: placement.trialNumber,
      trial_label: payload.trial_label ?? null, video_path: trial.paths.videoPath, timing_path: trial.paths.timingPath,
      metadata_path: trial.paths.metadataPath, passthrough: camera.selection.passthrough, renamed: trial.paths.renamed,
    });
  }

  private async refuseIfDiskLow(dir: string): Promise<void> {
    const guard = this.rt.diskGuard;
    this.rt.watchDisk(dir);
    const reading = await guard.check();
    if (guard.isLow()) {
      throw new ModuleError('STORAGE_CRITICAL', `Storage space is critical: ${round2(reading.freeGb)} GB free, ${this.rt.config.current.guard.disk_free_gb_min} GB required`, {
        data: { free_gb: round2(reading.freeGb), min_required_gb: this.rt.config.current.guard.disk_free_gb_min, path: dir },
      });
    }
  }

  private async resume(): Promise<void> {
    const trial = this.rt.pausedTrial as TrialRecorder;
    const resumed = await trial.resume();
    this.rt.pausedTrial = null;
    this.rt.trial = trial;
    this.rt.reporter.report('recording_resumed', {
      camera_id: trial.context.cameraId, session_id: trial.context.sessionId, trial_number: trial.context.trialNumber,
      video_path: resumed.videoPath, timing_path: trial.paths.timingPath, next_frame_index: resumed.nextFrameIndex,
    });
  }

  reportStopped(trial: TrialRecorder, summary: TrialSummary): void {
    this.rt.reporter.report('recording_stopped', {
      camera_id: trial.context.cameraId, session_id: trial.context.sessionId, trial_number: trial.context.trialNumber,
      frames_recorded: summary.framesRecorded, frames_dropped: summary.framesDropped,
      duration_seconds: round2(summary.durationSeconds), actual_fps: round2(summary.actualFps),
      video_path: summary.paths.videoPath, timing_path: summary.paths.timingPath, metadata_path: summary.paths.metadataPath,
      video_files: [...summary.videoFiles], reason: summary.reason,
    });
  }

  private async startSession(payload: CommandPayloads['start_session']): Promise<void> {
    const dir = payload.session_dir ? path.resolve(payload.session_dir) : null;
    const id = payload.session_id ?? (dir ? path.basename(dir) : `session_${new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}`);
    this.rt.pausedTrial = null;
    this.rt.session = { id, dir, lastTrial: 0 };
    this.rt.reporter.report('session_started', { session_id: id, session_dir: dir });
  }

  private async stopSession(): Promise<void> {
    await this.rt.finishTrial('session_stopped');
    const id = this.rt.session.id;
    this.rt.pausedTrial = null;
    this.rt.session = { id: null, dir: null, lastTrial: 0 };
    this.rt.reporter.report('session_stopped', { session_id: id });
  }

  private async applyConfig(payload: CommandPayloads['apply_config']): Promise<void> {
    const { command_id: _id, timestamp: _ts, ...patch } = payload;
    const { next, changes } = this.rt.config.preview(patch);
    const restart = changes.some((c) => c.effect === 'restart_capture') && this.rt.camera !== null;
    if (restart && this.rt.state === 'recording') {
      throw new ModuleError('ALREADY_RECORDING', 'Camera is currently recording; a mode change needs the trial paused first', {
        data: { session_id: this.rt.session.id, changes: changes.map((c) => c.key) },
      });
    }
    this.rt.config.commit(next);
    if (changes.some((c) => c.key.startsWith('telemetry.'))) this.rt.restartTelemetry();
    if (changes.some((c) => c.key.startsWith('guard.') || c.key === 'storage.base_path')) {
      this.rt.watchDisk(next.storage.base_path);
    }
    if (restart) await this.reopenCamera();
    this.rt.reporter.report('config_applied', {
      applied: changes.map((c) => c.key),
      restarted_capture: restart,
      next_recording: changes.filter((c) => c.effect === 'next_recording').map((c) => c.key),
    });
  }

  private async reopenCamera(): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    await this.assign({
      camera_id: { backend: camera.identity.backend, stable_id: camera.identity.stableId },
      descriptor: { name: camera.identity.name, device_path: camera.identity.devicePath, usb_path: camera.identity.usbPath },
    });
  }

  private async controlChange(payload: CommandPayloads['control_change']): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    await this.rt.probe.setControl(camera.identity, payload.control, payload.value);
    this.rt.reporter.report('control_changed', { control: payload.control, value: payload.value, note: null });
  }

  private async reprobe(): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    camera.capabilities = await this.rt.probe.probe(camera.identity);
    this.rt.reporter.report('device_capabilities', {
      camera_id: camera.cameraId, modes: [...camera.capabilities.modes], controls: [...camera.capabilities.controls],
    });
  }

  private async quit(): Promise<void> {
    await this.rt.close('shutdown');
    this.rt.reporter.report('quitting', {});
  }
}
