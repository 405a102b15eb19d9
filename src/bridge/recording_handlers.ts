import path from 'node:path';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { TrialRecorder, TrialSummary, StopReason } from '../storage/types.js';
import { resolveSessionPaths } from '../storage/session_paths.js';
import { placeTrial, type TrialPlacement } from '../storage/trial_paths.js';
import { admitRecording } from '../storage/storage_gate.js';
import { thresholdsFrom } from '../storage/storage_policy.js';
import { rotationFrom } from '../storage/rotation.js';
import { subscribeTrial } from '../storage/trial_subscription.js';
import { pathRule, resolveAllowedPath } from '../storage/allowed_roots.js';
import type { CameraSession } from '../camera_core/camera_session.js';
import { round2 } from '../events/rounding.js';
import { toModuleError } from '../errors/codes.js';
import type { HandlerDeps } from './handler_deps.js';
import type { StorageHandlers } from './storage_handlers.js';

type Deps = Pick<HandlerDeps, 'channel' | 'session' | 'reporter' | 'reportError' | 'config' | 'ffmpeg' | 'trialFactory' | 'diskGuard' | 'enqueue'>;

/** The hub subscriber name of the trial recorder (telemetry lists it). */
export const TRIAL_SUBSCRIBER = 'trial';

/** Commands about trials and sessions: record, pause, resume, session boundaries. */
export class RecordingHandlers {
  /** Detaches the recording trial from the frame hub. */
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: Deps, private readonly storage: StorageHandlers) {}

  async startRecording(payload: CommandPayloads['start_recording']): Promise<void> {
    const { channel, config, session } = this.deps;
    const camera = channel.camera as CameraSession;
    const placement = placeTrial(payload, config.current, session, camera.identity);
    await this.attachWhile(() => this.openTrial(payload, placement, camera), (trial) => trial);
  }

  private async openTrial(payload: CommandPayloads['start_recording'], placement: TrialPlacement, camera: CameraSession): Promise<TrialRecorder> {
    const { channel, config: store, session, reporter } = this.deps;
    const config = store.current;
    const thresholds = thresholdsFrom(config);
    const reading = await admitRecording(this.deps.diskGuard, thresholds, placement.baseDir);
    this.storage.watch(placement.baseDir, reading);
    const paths = resolveSessionPaths({
      basePath: placement.baseDir,
      sessionPrefix: placement.sessionPrefix,
      cameraLabel: placement.cameraLabel,
      perCameraSubdir: config.storage.per_camera_subdir,
    });
    const { captureMode, recordMode } = camera.selection;
    const trial = await this.deps.trialFactory.start({
      context: {
        cameraId: camera.cameraId, backend: camera.identity.backend, stableId: camera.identity.stableId,
        name: camera.identity.name, devicePath: camera.identity.devicePath, sessionId: session.id,
        trialNumber: placement.trialNumber, trialLabel: payload.trial_label ?? null,
        captureMode, recordMode, ffmpegVersion: this.deps.ffmpeg.require().version,
      },
      paths,
      writer: {
        codec: config.record.codec, jpegQuality: config.record.jpeg_quality, h264Crf: config.record.h264_crf,
        forceReencode: config.record.force_reencode, queueMaxFrames: config.capture.queue_max_frames,
      },
      rotation: rotationFrom(config),
    });
    this.watchTrial(trial);
    channel.apply({ type: 'trial_started', trial });
    session.lastTrial = placement.trialNumber;
    reporter.report('recording_started', {
      camera_id: camera.cameraId, session_id: session.id, trial_number: placement.trialNumber,
      trial_label: payload.trial_label ?? null, video_path: trial.paths.videoPath, timing_path: trial.paths.timingPath,
      metadata_path: trial.paths.metadataPath, passthrough: camera.selection.passthrough, renamed: trial.paths.renamed,
    });
    this.storage.warnIfLow(reading);
    return trial;
  }

  /**
   * Ends the trial the host sees recording (if any) with a reason and reports
   * recording_stopped; a pause ('command') leaves it resumable.
   */
  async finishTrial(reason: StopReason): Promise<void> {
    const { channel } = this.deps;
    const trial = channel.trial;
    if (trial === null) return;
    this.detachTrial();
    const summary = await trial.finish(reason);
    channel.apply({ type: 'trial_ended', resumable: reason === 'command' });
    this.reportStopped(trial, { ...summary, reason });
  }

  async resume(): Promise<void> {
    const trial = this.deps.channel.pausedTrial as TrialRecorder;
    const resumed = await this.attachWhile(() => trial.resume(), () => trial);
    this.deps.channel.apply({ type: 'trial_started', trial });
    this.reportResumed(trial, resumed);
  }

  /** Continues a trial after its camera came back; false when it could not go on (reported). */
  async continueAfterLoss(trial: TrialRecorder, outageSeconds: number): Promise<boolean> {
    let resumed: { readonly videoPath: string; readonly nextFrameIndex: number };
    try {
      resumed = await this.attachWhile(() => trial.resume({ countGap: true }), () => trial);
    } catch (err) {
      this.deps.reportError(null, toModuleError(err));
      return false;
    }
    this.reportResumed(trial, resumed, outageSeconds);
    return true;
  }

  /**
   * Subscribes the trial to the frame hub before its files (or next part) open: frames
   * arriving meanwhile wait in the hub for it, so the first frame written is the first
   * one after the command, and any the hub had to drop are counted in the trial.
   */
  private async attachWhile<R>(open: () => Promise<R>, trialOf: (result: R) => TrialRecorder): Promise<R> {
    let result!: R;
    const opening = open().then((value) => {
      result = value;
      return trialOf(value);
    });
    const unsubscribe = subscribeTrial(this.deps.channel.hub, TRIAL_SUBSCRIBER, opening);
    await opening;
    this.unsubscribe = unsubscribe;
    return result;
  }

  /** Stops routing frames to the trial (before it is finished, so no frame arrives while it closes). */
  detachTrial(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  reportResumed(trial: TrialRecorder, resumed: { readonly videoPath: string; readonly nextFrameIndex: number }, outageSeconds?: number): void {
    this.deps.reporter.report('recording_resumed', {
      camera_id: trial.context.cameraId, session_id: trial.context.sessionId, trial_number: trial.context.trialNumber,
      video_path: resumed.videoPath, timing_path: trial.paths.timingPath, next_frame_index: resumed.nextFrameIndex,
      ...(outageSeconds === undefined ? {} : { reason: 'device_returned' as const, outage_seconds: round2(outageSeconds) }),
    });
  }

  reportStopped(trial: TrialRecorder, summary: TrialSummary): void {
    this.deps.reporter.report('recording_stopped', {
      camera_id: trial.context.cameraId, session_id: trial.context.sessionId, trial_number: trial.context.trialNumber,
      frames_recorded: summary.framesRecorded, frames_dropped: summary.framesDropped,
      duration_seconds: round2(summary.durationSeconds), actual_fps: round2(summary.actualFps),
      video_path: summary.paths.videoPath, timing_path: summary.paths.timingPath, metadata_path: summary.paths.metadataPath,
      video_files: [...summary.videoFiles], reason: summary.reason,
    });
  }

  async startSession(payload: CommandPayloads['start_session']): Promise<void> {
    const dir = payload.session_dir ? resolveAllowedPath('session_dir', payload.session_dir, pathRule(this.deps.config.current)) : null;
    const id = payload.session_id ?? (dir ? path.basename(dir) : `session_${new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}`);
    this.forgetPaused();
    this.deps.session.reset(id, dir);
    this.deps.reporter.report('session_started', { session_id: id, session_dir: dir });
  }

  async stopSession(): Promise<void> {
    await this.finishTrial('session_stopped');
    const id = this.deps.session.id;
    this.forgetPaused();
    this.deps.session.reset(null, null);
    this.deps.reporter.report('session_stopped', { session_id: id });
  }

  private forgetPaused(): void {
    if (this.deps.channel.pausedTrial !== null) this.deps.channel.apply({ type: 'paused_forgotten' });
  }

  /** A writer failure ends the trial (encoder_failed); rotations are reported while it is current. */
  private watchTrial(trial: TrialRecorder): void {
    const { channel, enqueue } = this.deps;
    this.storage.observe(trial);
    trial.on('rotated', (rotation) => {
      void enqueue(async () => {
        if (channel.trial === trial) this.storage.reportRotated(trial, rotation);
      });
    });
    trial.on('failed', (error, summary) => {
      void enqueue(async () => {
        if (channel.writingTrial !== trial) return;
        this.detachTrial();
        channel.apply({ type: 'trial_ended', resumable: false });
        this.deps.reportError(null, error);
        this.reportStopped(trial, summary);
      });
    });
  }
}
