/**
 * `npm run bench:files`: attachments on one server with the local file store (issue 12):
 *
 *  1. upload throughput through POST /api/v4/files, raw-body and multipart, for 1 MB files (200, 8
 *     at a time) and 50 MB files (6, 2 at a time), next to plain writes of the same bytes into the
 *     server's FileSettings.Directory in the same run (a Node write stream, `cat`, and `cp` for
 *     information): goal ≥ 50 % of the faster plain write. A bare node:http server that only pipes
 *     bodies into files, and one that drops them, run in the same rounds: what Node's HTTP over
 *     loopback reaches on this machine, to read the uploads against;
 *  2. thumbnail + preview generation per second for a 4000×3000 photo-like JPEG, next to sharp
 *     decoding the same JPEG in this process;
 *  3. the server's RSS while ten 50 MB uploads run at once (VmRSS every 50 ms): goal < 64 MiB of
 *     growth, which only streaming can meet.
 *
 * The memory phase runs first, after a warm-up, so that later phases' heap growth cannot hide its
 * own; images run last, so that libvips' allocations do not count in the upload phases. Writes
 * bench-results/files.json and the "## bench:files" section of docs/benchmarks.md.
 * BENCH_FILES_ROUNDS, BENCH_FILES_SMALL (number of 1 MB files), BENCH_FILES_LARGE (50 MB files)
 * and BENCH_FILES_IMAGES change a run while developing it (bench-results/files.dev.json only);
 * BENCH_SERVER_CPU_PROFILE=<dir> writes the server's V8 CPU profile there (also a development run).
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import sharp from 'sharp';
import { ADMIN_DSN, sleep, startServer, track, waitExit, type TestServer } from '#testing';
import {
  FILES_SECTION,
  MB,
  renderFilesMarkdown,
  renderFilesTable,
  type FilesResults,
  type ImageResults,
  type Method,
  type RssRun,
  type SizeResults,
  type WriteRun,
} from './files-report.js';
import { bareServer, cat, cp, nodeWrite, photoLikeJpeg, sampleRss, sync, Uploader, type Source, type UploadForm } from './files-workload.js';
import { mapLimit } from './load.js';
import { cpuSeconds, machineInfo } from './machine.js';
import { publishResults, runBench } from './run.js';
import { round } from './stats.js';

const COMMAND = 'npm run bench:files';
const ROUNDS = Number(process.env.BENCH_FILES_ROUNDS ?? 3);
const SMALL_BYTES = 1 * MB;
const SMALL_FILES = Number(process.env.BENCH_FILES_SMALL ?? 200);
const SMALL_CONCURRENCY = 8;
const LARGE_BYTES = 50 * MB;
const LARGE_FILES = Number(process.env.BENCH_FILES_LARGE ?? 6);
const LARGE_CONCURRENCY = 2;
const RSS_UPLOADS = 10;
const IMAGES = Number(process.env.BENCH_FILES_IMAGES ?? 24);
const IMAGE_CONCURRENCY = 2;
const PROFILE_DIR = process.env.BENCH_SERVER_CPU_PROFILE ? resolve(process.env.BENCH_SERVER_CPU_PROFILE) : undefined;

function log(msg: string) {
  process.stdout.write(`[bench:files ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Child mode: the bare Node HTTP server, writing into `dir` (or dropping bodies), reporting its port; ends with its parent. */
function bareServerProcess(dir: string | undefined): void {
  void bareServer(dir).then((server) => process.send!({ port: (server.address() as AddressInfo).port }));
  process.on('disconnect', () => process.exit(0));
}

class BareServerChild {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  get pid(): number {
    return this.child.pid!;
  }

  static async start(dir?: string): Promise<BareServerChild> {
    const child = track(fork(fileURLToPath(import.meta.url), ['bare-server', ...(dir ? [dir] : [])], { stdio: 'inherit' }));
    const port = await new Promise<number>((ok, fail) => {
      child.once('message', (m: { port: number }) => ok(m.port));
      child.once('exit', (code) => fail(new Error(`the bare server exited with ${code}`)));
    });
    return new BareServerChild(child, `http://127.0.0.1:${port}`);
  }

  async stop(): Promise<void> {
    this.child.disconnect();
    if (!(await waitExit(this.child, 5000))) this.child.kill('SIGKILL');
  }
}

const open = {
  server: undefined as TestServer | undefined,
  uploaders: [] as Uploader[],
  bare: [] as BareServerChild[],
};

async function cleanup() {
  const { server, uploaders, bare } = open;
  open.server = undefined;
  open.uploaders = [];
  open.bare = [];
  for (const u of uploaders) u.close();
  await Promise.all(bare.map((b) => b.stop().catch(() => undefined)));
  await server?.stop().catch(() => undefined);
}

/** Runs `count` writes `concurrency` at a time after a sync: the wall time and the CPU of the writing process. */
async function batch(count: number, concurrency: number, cpuOf: (() => number) | undefined, write: (i: number) => Promise<unknown>): Promise<WriteRun> {
  await sync();
  const cpu0 = cpuOf?.();
  const t0 = performance.now();
  await mapLimit(
    Array.from({ length: count }, (_, i) => i),
    concurrency,
    write,
  );
  const wallSec = round((performance.now() - t0) / 1000, 3);
  return cpuOf ? { wallSec, serverCpuSec: round(cpuOf() - cpu0!, 3) } : { wallSec };
}

const FORMS: UploadForm[] = ['raw', 'multipart'];

interface Targets {
  server: TestServer;
  up: Uploader;
  bare: BareServerChild;
  bareUp: Uploader;
  discard: BareServerChild;
  discardUp: Uploader;
  /** The store's folder, where uploads land (emptied between batches) and the plain writes go. */
  dataDir: string;
}

/** Removes what a batch wrote (the dated upload folders, the reference folder) so that the disk does not fill up. */
function emptyStore(dataDir: string, refDir: string, bareDir: string): void {
  for (const entry of readdirSync(dataDir)) if (/^\d{8}$/.test(entry)) rmSync(join(dataDir, entry), { recursive: true, force: true });
  for (const dir of [refDir, bareDir]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
}

/**
 * One file size: ROUNDS rounds, each a batch per method (both upload forms, the bare Node
 * server, the plain writes), so that drift on a shared machine falls on every method alike.
 */
async function sizePhase(t: Targets, label: string, source: Source, sourcePath: string, count: number, concurrency: number): Promise<SizeResults> {
  const bytes = 'buffer' in source ? source.buffer.length : source.size;
  const refDir = join(t.dataDir, 'bench-reference');
  const bareDir = join(t.dataDir, 'bench-bare');
  const server = () => cpuSeconds(t.server.pid);
  const methods: (Method & { write: (i: number) => Promise<unknown>; cpuOf?: () => number })[] = [
    ...FORMS.map((form) => ({
      how: form,
      role: 'upload' as const,
      runs: [],
      cpuOf: server,
      write: (i: number) => t.up.upload(form, `${form}-${i}.bin`, source),
    })),
    { how: 'bare Node HTTP, raw', role: 'node-http', runs: [], cpuOf: () => cpuSeconds(t.bare.pid), write: (i) => t.bareUp.upload('raw', `${i}.bin`, source) },
    {
      how: 'bare Node HTTP, dropped',
      role: 'node-http',
      note: 'bodies read and dropped',
      runs: [],
      cpuOf: () => cpuSeconds(t.discard.pid),
      write: (i) => t.discardUp.upload('raw', `${i}.bin`, source),
    },
    { how: 'node write stream', role: 'disk', runs: [], write: (i) => nodeWrite(source, join(refDir, `${i}.bin`)) },
    { how: 'cat', role: 'disk', runs: [], write: (i) => cat(sourcePath, join(refDir, `${i}.bin`)) },
    { how: 'cp', role: 'disk', note: 'in-kernel copy_file_range', runs: [], write: (i) => cp(sourcePath, join(refDir, `${i}.bin`)) },
  ];
  for (let r = 0; r < ROUNDS; r++) {
    for (const m of methods) {
      emptyStore(t.dataDir, refDir, bareDir);
      const run = await batch(count, concurrency, m.cpuOf, m.write);
      m.runs.push(run);
      log(`${label} round ${r + 1}, ${m.how}: ${count} files in ${run.wallSec} s = ${round((count * bytes) / MB / run.wallSec)} MB/s`);
    }
  }
  emptyStore(t.dataDir, refDir, bareDir);
  return { label, fileBytes: bytes, files: count, concurrency, methods: methods.map(({ how, role, note, runs }) => ({ how, role, note, runs })) };
}

/** Ten 50 MB uploads at once while the server's RSS is sampled; before = the median of an idle second. */
async function rssPhase(server: TestServer, up: Uploader, form: UploadForm, source: Source): Promise<RssRun> {
  await sync();
  const trace = sampleRss(server.pid);
  await sleep(1000);
  const idle = trace
    .peek()
    .map(([, kib]) => kib)
    .sort((a, b) => a - b);
  const baselineKiB = idle[Math.floor(idle.length / 2)];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: RSS_UPLOADS }, (_, i) => up.upload(form, `rss-${form}-${i}.bin`, source)));
  const wallSec = (performance.now() - t0) / 1000;
  await sleep(1000);
  const { samples, maxGapMs } = trace.stop();
  const during = samples.filter(([ms]) => ms >= 1000);
  const run: RssRun = {
    form,
    uploads: RSS_UPLOADS,
    fileBytes: 'buffer' in source ? source.buffer.length : source.size,
    wallSec: round(wallSec, 2),
    baselineKiB,
    peakKiB: Math.max(...during.map(([, kib]) => kib)),
    afterKiB: samples[samples.length - 1][1],
    samples: samples.length,
    maxGapMs,
  };
  log(
    `RSS ${form}: ${round(baselineKiB / 1024)} MiB → peak ${round(run.peakKiB / 1024)} MiB, after ${round(run.afterKiB / 1024)} MiB (${run.samples} samples, largest gap ${maxGapMs} ms)`,
  );
  return run;
}

async function imagePhase(server: TestServer, up: Uploader, jpeg: Buffer): Promise<ImageResults> {
  const meta = await sharp(jpeg).metadata();
  // The reference decodes the same buffer each time: libvips' operation cache would answer the
  // repeats from memory.
  sharp.cache(false);
  const self = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const decode = await batch(IMAGES, IMAGE_CONCURRENCY, self, () => sharp(jpeg).raw().toBuffer());
  const upload = await batch(
    IMAGES,
    IMAGE_CONCURRENCY,
    () => cpuSeconds(server.pid),
    async (i) => {
      const info = await up.upload('multipart', `photo-${i}.jpg`, { buffer: jpeg });
      if (!info.has_preview_image || info.width !== meta.width) throw new Error(`photo-${i}.jpg came back without its preview: ${JSON.stringify(info)}`);
    },
  );
  log(`images: ${round(IMAGES / upload.wallSec, 2)}/s; sharp decodes ${round(IMAGES / decode.wallSec, 2)}/s`);
  return {
    width: meta.width!,
    height: meta.height!,
    jpegBytes: jpeg.length,
    count: IMAGES,
    concurrency: IMAGE_CONCURRENCY,
    upload,
    decode,
    sharpConcurrency: sharp.concurrency(),
  };
}

function filesystemOf(path: string): string {
  try {
    const [, line] = execFileSync('df', ['-T', path], { encoding: 'utf8' }).trim().split('\n');
    const [device, type] = line.split(/\s+/);
    return `${type} (${device})`;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<FilesResults> {
  const machine = await machineInfo(ADMIN_DSN);
  const loadAveragesBefore = loadavg().map((v) => round(v, 2));
  log(`${machine.nproc} cores, ${machine.cpuModel}, Node ${machine.node}, load ${loadAveragesBefore.join(' ')}`);

  const server = await startServer(
    { MM_FILESETTINGS_MAXFILESIZE: String(100 * 2 ** 20) },
    PROFILE_DIR ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] } : {},
  );
  open.server = server;
  const dataDir = join(server.dir, 'data');
  log(`server pid ${server.pid} on ${server.url}; store ${dataDir} on ${filesystemOf(server.dir)}`);
  const admin = await server.newUser({ username: 'benchadmin' });
  const team = await admin.client.createTeam({ name: `bench-files-${Date.now()}`, display_name: 'Files', type: 'O' } as Team);
  const channel = await admin.client.createChannel({ team_id: team.id, name: 'bench-files', display_name: 'Files', type: 'O' } as Channel);
  const up = new Uploader(server.url, admin.client.getToken(), channel.id);
  const bareDir = join(dataDir, 'bench-bare');
  mkdirSync(bareDir, { recursive: true });
  const bare = await BareServerChild.start(bareDir);
  const discard = await BareServerChild.start();
  open.bare.push(bare, discard);
  const bareUp = new Uploader(bare.url, 'none', 'none');
  const discardUp = new Uploader(discard.url, 'none', 'none');
  open.uploaders.push(up, bareUp, discardUp);

  // Sources: the same bytes for every upload and reference write of a size, on the store's disk.
  const srcDir = join(server.dir, 'bench-sources');
  mkdirSync(srcDir, { recursive: true });
  const small: Source = { buffer: randomBytes(SMALL_BYTES) };
  const smallPath = join(srcDir, 'small.bin');
  writeFileSync(smallPath, small.buffer);
  const largePath = join(srcDir, 'large.bin');
  writeFileSync(largePath, randomBytes(LARGE_BYTES));
  const large: Source = { path: largePath, size: LARGE_BYTES };

  log('warm-up');
  for (const [target, forms] of [
    [up, FORMS],
    [bareUp, ['raw']],
    [discardUp, ['raw']],
  ] as const) {
    for (const form of forms) {
      await mapLimit([0, 1, 2, 3, 4, 5, 6, 7], 4, (i) => target.upload(form, `warm-${i}.bin`, small));
      await target.upload(form, 'warm-large.bin', large);
    }
  }

  const rss: RssRun[] = [];
  for (const form of FORMS) rss.push(await rssPhase(server, up, form, large));

  const targets: Targets = { server, up, bare, bareUp, discard, discardUp, dataDir };
  const sizes: SizeResults[] = [];
  sizes.push(await sizePhase(targets, '1 MB', small, smallPath, SMALL_FILES, SMALL_CONCURRENCY));
  sizes.push(await sizePhase(targets, '50 MB', large, largePath, LARGE_FILES, LARGE_CONCURRENCY));

  log('generating the JPEG');
  const jpeg = await photoLikeJpeg();
  const images = await imagePhase(server, up, jpeg);

  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: COMMAND,
    machine,
    filesystem: filesystemOf(server.dir),
    loadAveragesBefore,
    loadAverageAfter1m: round(loadavg()[0], 2),
    rounds: ROUNDS,
    sizes,
    images,
    rss,
  };
}

const DEVELOPMENT_RUN = ['BENCH_FILES_ROUNDS', 'BENCH_FILES_SMALL', 'BENCH_FILES_LARGE', 'BENCH_FILES_IMAGES', 'BENCH_SERVER_CPU_PROFILE'].some(
  (k) => process.env[k],
);

if (process.argv[2] === 'bare-server') bareServerProcess(process.argv[3]);
else
  await runBench({
    command: 'bench:files',
    log,
    main,
    cleanup,
    publish: (results) =>
      publishResults({ name: 'files', heading: FILES_SECTION, results, markdown: renderFilesMarkdown(results), developmentRun: DEVELOPMENT_RUN }),
    table: renderFilesTable,
    failureOutput: () => (open.server?.logs ? `server output (tail):\n${open.server.logs.slice(-4000)}\n` : undefined),
  });
