import path from 'node:path';
import type { CommandPayloads } from '../generated/schema-types.js';
import type { TrialRecorder, TrialSummary } from '../storage/types.js';
import { resolveSessionPaths } from '../storage/session_paths.js';
import type { CamerasRuntime } from './runtime.js';
import type { CameraSession } from './camera_session.js';
import { placeTrial, type TrialPlacement } from './trial_paths.js';
import { admitRecording, warnIfLow } from './storage_gate.js';
import { rotationFrom } from '../storage/rotation.js';

import { round2 } from './rounding.js';

/** Commands about trials and sessions: record, pause, resume, session boundaries. */
export class RecordingHandlers {
  constructor(private readonly rt: CamerasRuntime) {}

  async startRecording(payload: CommandPayloads['start_recording']): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    const config = this.rt.config.current;
    const placement = placeTrial(payload, config, this.rt.session, camera.identity);
    this.rt.holdFramesForTrial();
    try {
      await this.openTrial(payload, placement);
    } finally {
      this.rt.dropHeldFrames();
    }
  }

  private async openTrial(payload: CommandPayloads['start_recording'], placement: TrialPlacement): Promise<void> {
    const camera = this.rt.camera as CameraSession;
    const config = this.rt.config.current;
    const storage = await admitRecording(this.rt, placement.baseDir);
    const paths = resolveSessionPaths({
      basePath: placement.baseDir,
      sessionPrefix: placement.sessionPrefix,
      cameraLabel: placement.cameraLabel,
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
      rotation: rotationFrom(config),
    });
    this.rt.pausedTrial = null;
    this.rt.watchTrial(trial);
    this.rt.activateTrial(trial);
    this.rt.session.lastTrial = placement.trialNumber;
    this.rt.reporter.report('recording_started', {
      camera_id: camera.cameraId, session_id: this.rt.session.id, trial_number: placement.trialNumber,
      trial_label: payload.trial_label ?? null, video_path: trial.paths.videoPath, timing_path: trial.paths.timingPath,
      metadata_path: trial.paths.metadataPath, passthrough: camera.selection.passthrough, renamed: trial.paths.renamed,
    });
    warnIfLow(this.rt, storage);
  }
  async resume(): Promise<void> {
    const trial = this.rt.pausedTrial as TrialRecorder;
    const resumed = await trial.resume();
    this.rt.pausedTrial = null;
    this.rt.trial = trial;
    this.reportResumed(trial, resumed);
  }

  /** recording_resumed, after resume_recording or (with the outage) after a lost camera came back. */
  reportResumed(trial: TrialRecorder, resumed: { readonly videoPath: string; readonly nextFrameIndex: number }, outageSeconds?: number): void {
    this.rt.reporter.report('recording_resumed', {
      camera_id: trial.context.cameraId, session_id: trial.context.sessionId, trial_number: trial.context.trialNumber,
      video_path: resumed.videoPath, timing_path: trial.paths.timingPath, next_frame_index: resumed.nextFrameIndex,
      ...(outageSeconds === undefined ? {} : { reason: 'device_returned' as const, outage_seconds: round2(outageSeconds) }),
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
  async startSession(payload: CommandPayloads['start_session']): Promise<void> {
    const dir = payload.session_dir ? path.resolve(payload.session_dir) : null;
    const id = payload.session_id ?? (dir ? path.basename(dir) : `session_${new Date().toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15)}`);
    this.rt.pausedTrial = null;
    this.rt.session = { id, dir, lastTrial: 0 };
    this.rt.reporter.report('session_started', { session_id: id, session_dir: dir });
  }
  async stopSession(): Promise<void> {
    await this.rt.finishTrial('session_stopped');
    const id = this.rt.session.id;
    this.rt.pausedTrial = null;
    this.rt.session = { id: null, dir: null, lastTrial: 0 };
    this.rt.reporter.report('session_stopped', { session_id: id });
  }}
