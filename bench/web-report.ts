/** bench:web's figures: the bundle as the build left it, the page's timings and memory, and the table and docs section they make. */
import { gzipSync } from 'node:zlib';
import type { MachineInfo } from './machine.js';
import { round, summarize, type Summary } from './stats.js';

export const WEB_SECTION = '## bench:web';

/** The limit on the JavaScript loaded before the first screen (apps/web/build/bundle-budget.ts enforces it at build time). */
export const INITIAL_JS_BUDGET_GZIP = 300 * 1024;

export interface BundleFile {
  file: string;
  rawBytes: number;
  gzipBytes: number;
}

export interface BundleSizes {
  /** The entry script and what it imports statically (or index.html preloads). */
  initialJs: BundleFile[];
  initialCss: BundleFile[];
  /** Chunks loaded later with import() (the System Console). */
  lazyJs: BundleFile[];
}

export interface LoadTimes {
  /** Milliseconds from navigation start (the document's time origin) to the first channel's newest message rendered. */
  samples: number[];
  summary: Summary;
}

export interface MemoryRun {
  /** Posts in the channel, seeded through the API. */
  seededPosts: number;
  /** Posts in the page's DOM when the channel opened, and after scrolling up until no more came. */
  postsOnOpen: number;
  renderedPosts: number;
  scrollSec: number;
  /** Chromium's Performance.getMetrics after a forced garbage collection. */
  before: PageMetrics;
  after: PageMetrics;
}

export interface PageMetrics {
  jsHeapUsedBytes: number;
  jsHeapTotalBytes: number;
  domNodes: number;
}

export interface WebResults {
  date: string;
  command: string;
  machine: MachineInfo;
  chromium: string;
  loadAveragesBefore: number[];
  loadAverageAfter1m: number;
  /** Messages in the first channel (its newest page is what the timing waits for), and its URL's path. */
  firstChannelPosts: number;
  firstChannelPath: string;
  bundle: BundleSizes;
  cold: LoadTimes;
  warm: LoadTimes;
  memory: MemoryRun;
}

/** A file's raw and gzipped size (level 9, about what a compressing proxy sends). */
export function sizeOf(file: string, content: Buffer | string): BundleFile {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return { file, rawBytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

/**
 * The files a first visit loads, from index.html: its module script, the stylesheets, the
 * modulepreload links, and (transitively) the chunks each script imports statically — what
 * `import()` loads later is not among them.
 */
export function initialFiles(indexHtml: string, readChunk: (file: string) => string): { js: string[]; css: string[] } {
  const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]+)"`).exec(tag)?.[1];
  const tags = indexHtml.match(/<(script|link)\b[^>]*>/g) ?? [];
  const css = tags.filter((t) => /rel="stylesheet"/.test(t)).map((t) => baseName(attr(t, 'href')));
  const roots = tags
    .filter((t) => (t.startsWith('<script') && /type="module"/.test(t)) || /rel="modulepreload"/.test(t))
    .map((t) => baseName(attr(t, 'src') ?? attr(t, 'href')));
  const js = new Set<string>();
  const visit = (file: string) => {
    if (!file || js.has(file)) return;
    js.add(file);
    for (const m of readChunk(file).matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([\w.-]+\.js)["']/g)) visit(m[1]!);
  };
  roots.forEach(visit);
  return { js: [...js].sort(), css: css.filter(Boolean).sort() };
}

const baseName = (path: string | undefined) => (path ?? '').split('/').pop() ?? '';

export function loadTimes(samples: number[]): LoadTimes {
  return { samples: samples.map((s) => round(s, 1)), summary: summarize(samples) };
}

const total = (files: BundleFile[], key: 'rawBytes' | 'gzipBytes') => files.reduce((s, f) => s + f[key], 0);
const kb = (bytes: number) => `${round(bytes / 1024, 1)} KB`;
const mib = (bytes: number) => `${round(bytes / 2 ** 20, 1)} MiB`;
const ms = (v: number) => `${round(v, 0)} ms`;

function timesCell(t: LoadTimes): string {
  const s = t.summary;
  return `**${ms(s.p50)}** | ${ms(s.min)} – ${ms(s.max)}`;
}

export function renderWebMarkdown(r: WebResults): string {
  const m = r.machine;
  const b = r.bundle;
  const initialGzip = total(b.initialJs, 'gzipBytes');
  const mem = r.memory;
  const out: string[] = [WEB_SECTION, ''];
  out.push(
    'Command: `npm run bench:web` (builds the server, the web app and the benchmark, then runs `node dist-bench/bench/web.js`).',
    '',
    `Run ${r.date} on ${m.nproc} cores (${m.cpuModel}), ${m.totalRamGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}, ` +
      `Debian's Chromium ${r.chromium} (headless, through playwright-core). Load average before the run ${r.loadAveragesBefore.join(' / ')} ` +
      `(1 / 5 / 15 min), 1-minute ${r.loadAverageAfter1m} after it: the machine was shared with other work while measuring, which moves ` +
      'the timings. One server process on a fresh database serving the built app (dist/web); the browser on the same machine over 127.0.0.1.',
    '',
    `- **${initialGzip <= INITIAL_JS_BUDGET_GZIP ? 'Within' : 'Over'} the budget** — initial JavaScript ${kb(initialGzip)} gzipped (budget ${kb(INITIAL_JS_BUDGET_GZIP)}).`,
    '',
    '### First channel on screen',
    '',
    `From navigation start (the document's time origin) to the first frame after the newest of the first channel's ${r.firstChannelPosts} ` +
      "messages is in the page: the app boots, checks the session (the context carries a signed-in user's cookies), loads the teams, " +
      "the channel's sidebar and categories and its newest page of posts, and renders them. The page opens the first " +
      `channel's URL (\`${r.firstChannelPath}\`). p50 of ${r.cold.samples.length} each (nearest rank).`,
    '',
    '| Load | p50 | Range |',
    '|---|---|---|',
    `| Cold: a fresh browser context each time (empty cache) | ${timesCell(r.cold)} |`,
    `| Warm: reload in the same context (assets from the cache; index.html revalidated) | ${timesCell(r.warm)} |`,
    '',
    '### Bundle',
    '',
    'As built by `npm run build` (dist/web/assets); gzip at level 9. The node serves the files as they are; a proxy that compresses (the deploy nginx config does) sends about the gzip figure.',
    '',
    '| Files | Raw | Gzip |',
    '|---|---|---|',
    `| Initial JavaScript (${b.initialJs.map((f) => f.file).join(', ')}) | ${kb(total(b.initialJs, 'rawBytes'))} | ${kb(initialGzip)} |`,
    `| Initial CSS (${b.initialCss.map((f) => f.file).join(', ')}) | ${kb(total(b.initialCss, 'rawBytes'))} | ${kb(total(b.initialCss, 'gzipBytes'))} |`,
    ...b.lazyJs.map((f) => `| Lazy chunk ${f.file} | ${kb(f.rawBytes)} | ${kb(f.gzipBytes)} |`),
    '',
    '### Memory after scrolling through a long channel',
    '',
    `A channel with ${mem.seededPosts} messages (seeded through the API), opened and scrolled up to its top until no more messages came ` +
      `(${round(mem.scrollSec, 1)} s). Chromium's \`Performance.getMetrics\` over the DevTools protocol after a forced garbage collection ` +
      '(`performance.measureUserAgentSpecificMemory` needs cross-origin isolation, which the app does not have).',
    '',
    '| | Messages in the page | JS heap used | JS heap total | DOM nodes |',
    '|---|---|---|---|---|',
    `| Channel opened | ${mem.postsOnOpen} | ${mib(mem.before.jsHeapUsedBytes)} | ${mib(mem.before.jsHeapTotalBytes)} | ${mem.before.domNodes} |`,
    `| Scrolled to the top | ${mem.renderedPosts} of ${mem.seededPosts} | ${mib(mem.after.jsHeapUsedBytes)} | ${mib(mem.after.jsHeapTotalBytes)} | ${mem.after.domNodes} |`,
    '',
  );
  if (mem.renderedPosts < mem.seededPosts) {
    out.push(
      `Only ${mem.renderedPosts} of the ${mem.seededPosts} messages reached the page: this client does not load older posts when scrolled ` +
        'up yet (infinite scroll back is part of the message view under way), so the figure is the memory of the newest page, not of ' +
        `${mem.seededPosts} messages; the same command measures the real thing once older pages load.`,
      '',
    );
  }
  out.push('Raw JSON: `bench-results/web.json`.');
  return out.join('\n');
}

export function renderWebTable(r: WebResults): string {
  const b = r.bundle;
  return [
    'bench:web',
    `  first channel on screen: cold p50 ${ms(r.cold.summary.p50)} (${ms(r.cold.summary.min)}–${ms(r.cold.summary.max)}), warm p50 ${ms(r.warm.summary.p50)} (${ms(r.warm.summary.min)}–${ms(r.warm.summary.max)})`,
    `  initial JS ${kb(total(b.initialJs, 'rawBytes'))} raw, ${kb(total(b.initialJs, 'gzipBytes'))} gzip; CSS ${kb(total(b.initialCss, 'gzipBytes'))} gzip; lazy ${b.lazyJs.length} chunks ${kb(total(b.lazyJs, 'gzipBytes'))} gzip`,
    `  memory: ${mib(r.memory.before.jsHeapUsedBytes)} heap with the channel open, ${mib(r.memory.after.jsHeapUsedBytes)} after scrolling (${r.memory.renderedPosts} of ${r.memory.seededPosts} messages in the page)`,
  ].join('\n');
}
