import os from 'node:os';
import type { ScenarioResult } from './scenario.js';

export interface ReportInput {
  readonly rows: ReadonlyArray<{ scenario: ScenarioResult; bare: number }>;
  /** One camera recording with an extra frame-hub subscriber that never returns. */
  readonly stuck: ScenarioResult | null;
  readonly seconds: number;
  readonly ffmpeg: string;
  readonly clipMbit: number;
}

const max = (xs: readonly number[]): number => Math.max(...xs);
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/** Replaces the measured part of BENCHMARKS.md, keeping what people wrote around it. */
export function mergeReport(existing: string | null, measured: string): string {
  const block = `${START}\n${measured}${END}\n`;
  if (existing === null || !existing.includes(START) || !existing.includes(END)) return `# Benchmarks\n\n${block}`;
  return existing.slice(0, existing.indexOf(START)) + block + existing.slice(existing.indexOf(END) + END.length + 1);
}

/** BENCHMARKS.md: the figures, the machine they came from, and the targets they are held against. */
export function renderReport(input: ReportInput): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    'Produced by `npm run bench` (bench/run.ts); rerun it to refresh this part of the file.',
    '',
    `- Date: ${new Date().toISOString().slice(0, 10)}`,
    `- Machine: ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, ${os.type()} ${os.release()}`,
    `- Node ${process.version}; ffmpeg ${input.ffmpeg}`,
    `- Source: a 1920x1080 @ 30 fps MJPEG clip (testsrc2, ${input.clipMbit.toFixed(1)} Mbit/s) replayed in real time (\`replay:\` camera: \`ffmpeg -re -stream_loop -1 … -c:v copy\`), so the capture child does what it does for a USB camera: no decode, no encode.`,
    `- Each scenario records one trial of ${input.seconds} s per camera. CPU is user+system seconds over the recording window: node (process.cpuUsage) plus its ffmpeg children (/proc/<pid>/stat). "bare copy" is the same number of \`ffmpeg -re -stream_loop -1 -i clip -c copy -f matroska\` processes over a window of the same length.`,
    '',
    '| cameras | module CPU s (node + ffmpeg) | bare copy CPU s | ratio | frames recorded / expected | dropped | file = CSV | record → first frame (max) | pause → finalized (max) | node RSS start → end |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...input.rows.map(({ scenario: s, bare }) => {
      const total = s.cpuNode + s.cpuChildren;
      return `| ${s.cameras} | ${total.toFixed(2)} (${s.cpuNode.toFixed(2)} + ${s.cpuChildren.toFixed(2)}) | ${bare.toFixed(2)} | ${(total / bare).toFixed(2)}× | ${s.framesRecorded} / ${s.framesExpected} | ${s.framesDropped} | ${s.fileMatchesCsv ? 'yes' : 'NO'} | ${max(s.firstFrameMs).toFixed(1)} ms | ${max(s.finalizeMs).toFixed(1)} ms | ${s.rssStartMb} → ${s.rssEndMb} MB |`;
    }),
    ...stuckLines(input.stuck),
    '',
    '## Against the targets (design-notes)',
    '',
    '| target | figure |',
    '|---|---|',
    ...verdicts(input),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

function verdicts(input: ReportInput): string[] {
  const one = input.rows.find((r) => r.scenario.cameras === 1);
  const most = input.rows.at(-1);
  const out: string[] = [];
  if (one) {
    const ratio = (one.scenario.cpuNode + one.scenario.cpuChildren) / one.bare;
    out.push(`| CPU, one camera ≤ 3× bare copy | ${ratio.toFixed(2)}× — ${ratio <= 3 ? 'met' : 'NOT met'} |`);
    out.push(`| node RSS ≤ 120 MB with one camera | ${one.scenario.rssEndMb} MB — ${one.scenario.rssEndMb <= 120 ? 'met' : 'NOT met'} |`);
  }
  if (most) {
    const s = most.scenario;
    const lost = s.framesExpected - s.framesRecorded;
    out.push(`| ≥ 8 cameras at 1080p30, no frame lost | ${s.cameras} cameras: ${s.framesDropped} dropped, ${s.framesRecorded} of ${s.framesExpected} expected (${lost >= 0 ? lost : 0} short) — ${s.framesDropped === 0 && s.cameras >= 8 ? 'met' : 'see figures'} |`);
  }
  const firsts = input.rows.flatMap((r) => r.scenario.firstFrameMs);
  const finals = input.rows.flatMap((r) => r.scenario.finalizeMs);
  out.push(`| record → first frame ≤ one frame interval (33.3 ms) | max ${max(firsts).toFixed(1)} ms — ${max(firsts) <= 33.4 ? 'met' : 'NOT met'} |`);
  out.push(`| pause → file finalized ≤ 500 ms | max ${max(finals).toFixed(1)} ms — ${max(finals) <= 500 ? 'met' : 'NOT met'} |`);
  out.push(`| CSV rows = frames in file, pts equal | ${input.rows.every((r) => r.scenario.fileMatchesCsv) ? 'every trial' : 'NOT every trial'} |`);
  return out;
}

function stuckLines(stuck: ScenarioResult | null): string[] {
  if (!stuck?.stuck) return [];
  return [
    '',
    `With a stuck extra subscriber on the frame hub (one camera; the subscriber never finishes with its first frame): ${stuck.framesRecorded} of ${stuck.framesExpected} frames recorded, ${stuck.framesDropped} dropped by the trial, file = CSV ${stuck.fileMatchesCsv ? 'yes' : 'NO'}; the stuck subscriber lost ${stuck.stuck.dropped} frames (telemetry \`subscribers\`); capture fps never below ${stuck.stuck.captureFpsMin}; module CPU ${(stuck.cpuNode + stuck.cpuChildren).toFixed(2)} s.`,
  ];
}
