/** bench:files's figures: rates, ratios against the disk and sharp references, the goals, and the table and docs section. */
import type { MachineInfo } from './machine.js';
import { median, round } from './stats.js';

export const FILES_SECTION = '## bench:files';

/** The goals: uploads at ≥ 50 % of a plain disk write; ten concurrent 50 MB uploads grow RSS by < 64 MiB. */
export const UPLOAD_RATIO_GOAL_PERCENT = 50;
export const RSS_GROWTH_GOAL_MIB = 64;

/** Bytes per MB in the rates: decimal megabytes, as disks and networks are quoted. */
export const MB = 1_000_000;

/** One batch of equal files written one way, `concurrency` at a time. */
export interface WriteRun {
  wallSec: number;
  /** CPU seconds of the writing server process during the batch (uploads and the bare Node server). */
  serverCpuSec?: number;
}

/**
 * A way of writing the files: an upload form (`upload`), a plain write of the same bytes by a
 * program on this machine (`disk`: what the goal compares with), or the bare Node HTTP server
 * (`node-http`: what any Node server can reach here, for diagnosis).
 */
export interface Method {
  how: string;
  role: 'upload' | 'disk' | 'node-http';
  /** The disk writes the goal does not compare with, and why. */
  note?: string;
  runs: WriteRun[];
}

export interface SizeResults {
  label: string;
  fileBytes: number;
  files: number;
  concurrency: number;
  methods: Method[];
}

export interface ImageResults {
  width: number;
  height: number;
  jpegBytes: number;
  count: number;
  concurrency: number;
  /** Uploads of the JPEG, each answered after its thumbnail, preview and mini preview were made. */
  upload: WriteRun;
  /** sharp decoding the same JPEG to raw pixels in the benchmark's process, same count and concurrency. */
  decode: WriteRun;
  /** sharp's libvips threads per image (the same default in both processes). */
  sharpConcurrency: number;
}

export interface RssRun {
  form: string;
  uploads: number;
  fileBytes: number;
  wallSec: number;
  baselineKiB: number;
  peakKiB: number;
  afterKiB: number;
  samples: number;
  maxGapMs: number;
}

export interface FilesResults {
  date: string;
  command: string;
  machine: MachineInfo;
  filesystem: string;
  loadAveragesBefore: number[];
  loadAverageAfter1m: number;
  rounds: number;
  sizes: SizeResults[];
  images: ImageResults;
  rss: RssRun[];
}

const runMbPerSec = (s: SizeResults, r: WriteRun) => (r.wallSec > 0 ? (s.files * s.fileBytes) / MB / r.wallSec : 0);

/** A method's rate: the median over its rounds (the rounds interleave the methods, so drift hits all alike). */
export const mbPerSec = (s: SizeResults, m: Method) => median(m.runs.map((r) => runMbPerSec(s, r)));

export const rangeMbPerSec = (s: SizeResults, m: Method): [number, number] => {
  const v = m.runs.map((r) => runMbPerSec(s, r));
  return [Math.min(...v), Math.max(...v)];
};

/** The reference: the faster of the plain disk writes the goal compares with. */
export function reference(s: SizeResults): Method {
  return s.methods.filter((m) => m.role === 'disk' && !m.note).reduce((a, b) => (mbPerSec(s, b) > mbPerSec(s, a) ? b : a));
}

export const percentOf = (s: SizeResults, m: Method, of: Method) => (mbPerSec(s, of) > 0 ? (mbPerSec(s, m) / mbPerSec(s, of)) * 100 : 0);

export const imagesPerSec = (i: ImageResults) => (i.upload.wallSec > 0 ? i.count / i.upload.wallSec : 0);
export const decodesPerSec = (i: ImageResults) => (i.decode.wallSec > 0 ? i.count / i.decode.wallSec : 0);
export const growthMiB = (r: RssRun) => (r.peakKiB - r.baselineKiB) / 1024;

export interface Goal {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export function goals(r: FilesResults): Goal[] {
  const out: Goal[] = r.sizes.map((s) => {
    const ref = reference(s);
    const uploads = s.methods.filter((m) => m.role === 'upload');
    return {
      name: `Upload throughput, ${s.label} files, vs a plain disk write`,
      target: `≥ ${UPLOAD_RATIO_GOAL_PERCENT} %`,
      measured: uploads.map((u) => `${u.how} ${round(percentOf(s, u, ref))} %`).join(', ') + ` of ${ref.how} (${round(mbPerSec(s, ref))} MB/s)`,
      met: uploads.every((u) => percentOf(s, u, ref) >= UPLOAD_RATIO_GOAL_PERCENT),
    };
  });
  const worst = r.rss.reduce((a, b) => (growthMiB(b) > growthMiB(a) ? b : a));
  out.push({
    name: `Server RSS growth during ${worst.uploads} concurrent ${round(worst.fileBytes / MB)} MB uploads`,
    target: `< ${RSS_GROWTH_GOAL_MIB} MiB`,
    measured: r.rss.map((x) => `${x.form} ${round(growthMiB(x))} MiB`).join(', '),
    met: growthMiB(worst) < RSS_GROWTH_GOAL_MIB,
  });
  return out;
}

const mib = (kib: number) => `${round(kib / 1024)} MiB`;

function methodRow(s: SizeResults, m: Method): string {
  const ref = reference(s);
  const node = s.methods.find((x) => x.role === 'node-http' && !x.note);
  const mb = (s.files * s.fileBytes) / MB;
  const cpu = m.runs.every((x) => x.serverCpuSec !== undefined) ? `${round((median(m.runs.map((x) => x.serverCpuSec!)) * 1000) / mb, 2)} ms` : '—';
  const [lo, hi] = rangeMbPerSec(s, m);
  const ofRef = m === ref ? 'reference' : `${round(percentOf(s, m, ref))} %`;
  const ofNode = node && m.role !== 'disk' ? (m === node ? '100 %' : `${round(percentOf(s, m, node))} %`) : '—';
  const how = m.note ? `${m.how} (${m.note})` : m.how;
  return `| ${s.label} | ${how} | **${round(mbPerSec(s, m))}** (${round(lo)}–${round(hi)}) | ${ofRef} | ${ofNode} | ${cpu} |`;
}

export function renderFilesMarkdown(r: FilesResults): string {
  const m = r.machine;
  const out: string[] = [FILES_SECTION, ''];
  out.push(
    'Command: `npm run bench:files` (builds the server and the benchmark, then runs `node dist-bench/bench/files.js`).',
    '',
    `Run ${r.date} on ${m.nproc} cores (${m.cpuModel}), ${m.totalRamGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}; ` +
      `the file store is the local driver on ${r.filesystem}. Load average before the run ${r.loadAveragesBefore.join(' / ')} (1 / 5 / 15 min), ` +
      `1-minute ${r.loadAverageAfter1m} after it. One server process on a fresh database; the benchmark (the uploading client, the references) ` +
      'in another process on the same machine, over 127.0.0.1.',
    '',
  );
  for (const g of goals(r)) out.push(`- **${g.met ? 'Met' : 'Missed'}** — ${g.name}: ${g.measured} (goal ${g.target}).`);
  out.push('', '### Upload throughput', '');
  out.push(
    `Each size: ${r.rounds} rounds, each round one batch per method (the methods interleaved, so that drift on the machine hits them alike); ` +
      'the figure is the median batch, the range in brackets.',
    '',
  );
  out.push('| Files | Written by | MB/s (range) | Of the reference | Of bare Node HTTP | Server CPU per MB |', '|---|---|---|---|---|---|');
  for (const s of r.sizes) {
    out.push(`| **${s.files} × ${s.label}, ${s.concurrency} at a time** | | | | | |`);
    for (const x of s.methods) out.push(methodRow(s, x));
  }
  const i = r.images;
  out.push('', '### Thumbnails and previews', '');
  out.push(
    `${i.count} uploads of one ${i.width}×${i.height} photo-like JPEG (${round(i.jpegBytes / MB, 2)} MB), ${i.concurrency} at a time: ` +
      `**${round(imagesPerSec(i), 2)} images/s** (thumbnail, preview and mini preview made before each answer; server CPU ` +
      `${round((i.upload.serverCpuSec ?? 0) / i.count, 3)} s per image). sharp decoding the same JPEG to pixels in the benchmark's process, ` +
      `same count and concurrency: ${round(decodesPerSec(i), 2)} decodes/s (${round((i.decode.serverCpuSec ?? 0) / i.count, 3)} s of CPU each). ` +
      `Images/s ÷ decodes/s: **${round(imagesPerSec(i) / decodesPerSec(i), 2)}**. libvips threads per image: ${i.sharpConcurrency} in both processes ` +
      "(sharp's default on glibc without jemalloc).",
  );
  out.push('', '### Server memory during concurrent 50 MB uploads', '');
  out.push('| Form | Uploads | Wall | RSS before | Peak | Growth | After | Samples (largest gap) |', '|---|---|---|---|---|---|---|---|');
  for (const x of r.rss) {
    out.push(
      `| ${x.form} | ${x.uploads} × ${round(x.fileBytes / MB)} MB at once | ${round(x.wallSec, 2)} s | ${mib(x.baselineKiB)} | ${mib(x.peakKiB)} | **${round(growthMiB(x))} MiB** | ${mib(x.afterKiB)} | ${x.samples} (${x.maxGapMs} ms) |`,
    );
  }
  out.push('', ...NOTES, '', 'Raw JSON: `bench-results/files.json`.');
  return out.join('\n') + '\n';
}

const NOTES = [
  'What each figure includes:',
  '',
  '- **Uploads**: `POST /api/v4/files` as an app sends it, from sending the request to the 201 answer: the session, the `upload_file` permission, the body streamed into the local store (a temporary file renamed into place), the FileInfo row written. *raw* is the raw-body form (`?channel_id=&filename=`, the body is the file); *multipart* is the form the web app sends (channel_id, the file, a client id). 1 MB files are sent from memory, 50 MB files streamed from a file on the same disk. Keep-alive connections. MB/s = bytes of the files ÷ wall time of the batch.',
  "- **Plain disk writes**: the same bytes, number of files and concurrency, written into a folder of the server's `FileSettings.Directory` by a program that does nothing else: *node write stream* (`fs.createWriteStream`; from memory for 1 MB, piped from the source file for 50 MB) and *cat* (`cat source > target`, one process per file). The goal's reference is the faster of the two. *cp* is shown but not the reference: coreutils 9 copies with `copy_file_range`, so the kernel duplicates page-cache pages and no byte passes through a process, which no upload can do. No side calls fsync: all write into the page cache, as the server does; `sync` runs (untimed) before every batch so that one batch's writeback does not land in the next.",
  "- **Bare Node HTTP**: the same client sending the same raw bodies to a node:http server in its own process that only pipes each body into a file with a default `fs.createWriteStream` (no parsing, no database): what a Node server can reach on this machine, for reading the uploads against. *dropped*: the same server reading each body and throwing it away, which is the loopback transfer from a Node client to a Node server alone. Its CPU column is that process's.",
  "- **Thumbnails and previews**: the upload includes storing the JPEG, reading it back from the store, EXIF orientation, the 120×100 thumbnail, the 1920-wide preview and the 16×16 mini preview, all JPEG. The JPEG is generated each run with sharp: smooth random colour areas plus per-pixel grain, quality 90, so that it compresses like a photo rather than a flat test card. The reference decodes with libvips' operation cache off.",
  "- **Memory**: VmRSS of the server process from /proc every 50 ms on the benchmark's event loop, from 1 s before the uploads start to 1 s after they end. Before: the median of the samples of that idle second (after a warm-up of a few uploads of each form). Growth = peak − before.",
];

export function renderFilesTable(r: FilesResults): string {
  const lines = ['bench:files'];
  for (const s of r.sizes) {
    for (const m of s.methods) lines.push(`  ${s.label.padEnd(6)} ${m.how.padEnd(22)} ${String(round(mbPerSec(s, m))).padStart(8)} MB/s`);
  }
  lines.push(`  images ${round(imagesPerSec(r.images), 2)}/s, sharp decodes ${round(decodesPerSec(r.images), 2)}/s`);
  for (const x of r.rss) lines.push(`  RSS ${x.form}: ${mib(x.baselineKiB)} → peak ${mib(x.peakKiB)} (+${round(growthMiB(x))} MiB)`);
  for (const g of goals(r)) lines.push(`  ${g.met ? 'met   ' : 'MISSED'} ${g.name}: ${g.measured} (goal ${g.target})`);
  return lines.join('\n');
}
