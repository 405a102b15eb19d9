import fs from 'node:fs';
import path from 'node:path';
import { loadKeyFile } from '../src/crypto/symmetric_key.js';
import { decryptedPath, decryptFileTo } from '../src/verify/decrypt_files.js';
import { ReferenceHost } from '../src/host/reference_host.js';
import type { CamerasModuleHandle } from '../src/module_factory.js';
import { checkRecording } from '../src/verify/recording_check.js';
import { readTimingCsv } from '../src/storage/timing_reader.js';
import { moduleCpuSample } from './proc_cpu.js';
import { sleep } from './baseline.js';

export interface ScenarioResult {
  readonly cameras: number;
  readonly seconds: number;
  readonly cpuNode: number;
  readonly cpuChildren: number;
  readonly framesRecorded: number;
  readonly framesExpected: number;
  readonly framesDropped: number;
  readonly fileMatchesCsv: boolean;
  readonly firstFrameMs: number[];
  readonly finalizeMs: number[];
  readonly rssStartMb: number;
  readonly rssEndMb: number;
  /** With a stuck extra subscriber: the frames it lost (from telemetry) and the lowest capture fps seen. */
  readonly stuck: { readonly dropped: number; readonly captureFpsMin: number } | null;
}

const mb = (bytes: number): number => Math.round(bytes / 1048576);

/** The trial's video and timing files decrypted into `into`. */
async function decryptedTrial(stopped: { video_files: string[]; timing_path: string }, keyFile: string, into: string): Promise<{ videoFiles: string[]; timingPath: string }> {
  const key = loadKeyFile(keyFile);
  fs.mkdirSync(into, { recursive: true });
  const videoFiles: string[] = [];
  for (const file of stopped.video_files) {
    videoFiles.push(decryptedPath(file, into));
    await decryptFileTo(file, decryptedPath(file, into), key);
  }
  const timingPath = decryptedPath(stopped.timing_path, into);
  await decryptFileTo(stopped.timing_path, timingPath, key);
  return { videoFiles, timingPath };
}

/** N module instances on the reference host, each replaying the clip as a camera, one trial of `seconds`. */
export async function runScenario(options: {
  cameras: number; seconds: number; clip: string; fps: number; outDir: string; ffprobe: string; stuck?: boolean;
  /** Record encrypted with this key file; the check then runs on decrypted copies. */
  keyFile?: string;
}): Promise<ScenarioResult> {
  const rssStart = process.memoryUsage().rss;
  const telemetryMs = options.stuck ? 1000 : 0;
  const hosts = Array.from({ length: options.cameras }, (_, i) => new ReferenceHost({
    instanceId: `bench-${i + 1}`,
    config: {
      storage: { base_path: path.join(options.outDir, `cams${options.cameras}`) }, telemetry: { emit_interval_ms: telemetryMs }, guard: { disk_free_gb_min: 0.5 },
      ...(options.keyFile ? { encryption: { enabled: true, key_file: options.keyFile } } : {}),
    },
  }));
  try {
    await Promise.all(hosts.map((h) => h.start()));
    await Promise.all(hosts.map(async (h, i) => {
      h.send('assign_device', { camera_id: { backend: 'replay', stable_id: `cam${i + 1}` }, descriptor: { name: `bench cam${i + 1}`, device_path: `replay:${options.clip}` } });
      const ready = await Promise.race([h.waitFor('device_ready', 20_000), h.waitFor('device_error', 20_000)]);
      if (ready.status !== 'device_ready') throw new Error(`camera ${i + 1}: ${JSON.stringify(ready.data)}`);
    }));
    // A consumer that never finishes with its first frame: it must cost the trial nothing.
    if (options.stuck) for (const h of hosts) (h.handle as CamerasModuleHandle).tapFrames('stuck', () => new Promise<void>(() => undefined));
    await sleep(1000);
    const telemetryFrom = hosts.map((h) => h.statuses.length);
    const sendTimes: bigint[] = [];
    const before = moduleCpuSample();
    await Promise.all(hosts.map(async (h) => {
      sendTimes.push(process.hrtime.bigint());
      await h.request('record', { trial_number: 1 });
    }));
    await sleep(options.seconds * 1000);
    const after = moduleCpuSample();
    const finalizeMs = await Promise.all(hosts.map(async (h) => {
      const t0 = process.hrtime.bigint();
      await h.request('pause');
      return Number(process.hrtime.bigint() - t0) / 1e6;
    }));
    const stoppedAll = await Promise.all(hosts.map((h) => h.waitFor('recording_stopped')));
    // Encrypted, the timing CSV gets its last segment when the trial is sealed (the module stops).
    if (options.keyFile) await Promise.all(hosts.map((h) => h.stop()));
    const results = await Promise.all(hosts.map(async (_h, i) => {
      const stopped = stoppedAll[i]!;
      const files = options.keyFile ? await decryptedTrial(stopped.data, options.keyFile, path.join(options.outDir, `decrypted-${i + 1}`)) : {
        videoFiles: stopped.data.video_files, timingPath: stopped.data.timing_path,
      };
      const rows = await readTimingCsv(files.timingPath);
      const firstMono = BigInt(rows[0]?.recordTimeMono.replace('.', '') ?? '0');
      const check = await checkRecording(options.ffprobe, files.videoFiles, files.timingPath);
      return {
        recorded: stopped.data.frames_recorded, dropped: stopped.data.frames_dropped,
        matches: check.problems.length === 0 && check.rows === stopped.data.frames_recorded,
        firstFrameMs: Number(firstMono - (sendTimes[i] ?? 0n)) / 1e6,
      };
    }));
    const telemetry = hosts.flatMap((h, i) => h.statuses.slice(telemetryFrom[i]).flatMap((m) => (m.status === 'telemetry' ? [m.data] : [])));
    const stuckDropped = telemetry.flatMap((t) => t.subscribers?.filter((sub) => sub.name === 'stuck').map((sub) => sub.dropped) ?? []);
    return {
      stuck: options.stuck ? { dropped: Math.max(0, ...stuckDropped), captureFpsMin: Math.min(...telemetry.map((t) => t.capture_fps)) } : null,
      cameras: options.cameras, seconds: options.seconds,
      cpuNode: after.node - before.node, cpuChildren: after.children - before.children,
      framesRecorded: results.reduce((n, r) => n + r.recorded, 0),
      framesExpected: Math.round(options.seconds * options.fps) * options.cameras,
      framesDropped: results.reduce((n, r) => n + r.dropped, 0),
      fileMatchesCsv: results.every((r) => r.matches),
      firstFrameMs: results.map((r) => r.firstFrameMs), finalizeMs,
      rssStartMb: mb(rssStart), rssEndMb: mb(process.memoryUsage().rss),
    };
  } finally {
    await Promise.all(hosts.map((h) => h.stop()));
  }
}
