/**
 * `npm run bench:web`: the web client in Debian's Chromium (playwright-core, as the browser tests
 * drive it) against one built node:
 *
 *  1. time from navigation to the first channel's messages on screen, p50 of 10: cold (a fresh
 *     browser context each time: empty cache) and warm (reloads in one context: assets cached);
 *     the contexts carry a signed-in user's cookies, so the timing is the app's start, not a login;
 *  2. the bundle as `npm run build` left it: the initial JavaScript and CSS (raw and gzip) and the
 *     lazily loaded chunks;
 *  3. the page's memory (JS heap and DOM nodes from the DevTools protocol's Performance.getMetrics,
 *     after a forced garbage collection) with a channel of 2,000 messages open, before and after
 *     scrolling up through it.
 *
 * Writes bench-results/web.json and the "## bench:web" section of docs/benchmarks.md.
 * BENCH_WEB_RUNS (loads per kind) and BENCH_WEB_POSTS (messages in the long channel) shrink a run
 * while developing it (bench-results/web.dev.json only).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { chromium, type Browser, type BrowserContext, type Cookie, type Page } from 'playwright-core';
import { ADMIN_DSN, CHROMIUM_ARGS, CHROMIUM_BIN, chromiumMissing, sleep, startServer, type NewUser, type TestServer } from '#testing';
import { mapLimit } from './load.js';
import { machineInfo } from './machine.js';
import { publishResults, ROOT, runBench } from './run.js';
import { round } from './stats.js';
import {
  initialFiles,
  loadTimes,
  renderWebMarkdown,
  renderWebTable,
  sizeOf,
  WEB_SECTION,
  type BundleSizes,
  type MemoryRun,
  type PageMetrics,
  type WebResults,
} from './web-report.js';

const COMMAND = 'npm run bench:web';
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 10);
const LONG_CHANNEL_POSTS = Number(process.env.BENCH_WEB_POSTS ?? 2000);
/** The first channel's messages: more than a page (60), so that its newest page is a full one. */
const FIRST_CHANNEL_POSTS = 80;
const SEED_CONCURRENCY = 8;
const VIEWPORT = { width: 1280, height: 800 };
const WEB_DIR = join(ROOT, 'dist/web');
const DEVELOPMENT_RUN = ['BENCH_WEB_RUNS', 'BENCH_WEB_POSTS'].some((k) => process.env[k]);

function log(msg: string) {
  process.stdout.write(`[bench:web ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const open: { server?: TestServer; browser?: Browser } = {};

async function cleanup(): Promise<void> {
  await open.browser?.close().catch(() => undefined);
  open.browser = undefined;
  await open.server?.stop().catch(() => undefined);
  open.server = undefined;
}

/** The bundle's files as built, from dist/web/index.html. */
function bundleSizes(): BundleSizes {
  const assets = join(WEB_DIR, 'assets');
  const read = (file: string) => readFileSync(join(assets, file));
  const { js, css } = initialFiles(readFileSync(join(WEB_DIR, 'index.html'), 'utf8'), (file) => read(file).toString('utf8'));
  const lazy = readdirSync(assets)
    .filter((f) => f.endsWith('.js') && !js.includes(f))
    .sort();
  return {
    initialJs: js.map((f) => sizeOf(f, read(f))),
    initialCss: css.map((f) => sizeOf(f, read(f))),
    lazyJs: lazy.map((f) => sizeOf(f, read(f))),
  };
}

/** The session cookies of a password login (MMAUTHTOKEN, MMUSERID, MMCSRF), for browser contexts that start signed in. */
async function sessionCookies(url: string, user: NewUser): Promise<Cookie[]> {
  const answer = await fetch(`${url}/api/v4/users/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    body: JSON.stringify({ login_id: user.user.username, password: user.password }),
  });
  if (!answer.ok) throw new Error(`login for the browser's cookies: ${answer.status}`);
  const { hostname } = new URL(url);
  return answer.headers.getSetCookie().map((line) => {
    const [pair = ''] = line.split(';');
    const eq = pair.indexOf('=');
    return {
      name: pair.slice(0, eq),
      value: pair.slice(eq + 1),
      domain: hostname,
      path: '/',
      expires: -1,
      httpOnly: /;\s*httponly/i.test(line),
      secure: false,
      sameSite: 'Lax' as const,
    };
  });
}

/**
 * Records in the page, in every document of the context, when `marker` is first in the channel's
 * message list: the time (ms from the document's time origin) of the first animation frame after
 * it was inserted, as `window.__firstChannelAt`.
 */
async function watchFor(context: BrowserContext, marker: string): Promise<void> {
  await context.addInitScript((text: string) => {
    const w = window as unknown as { __firstChannelAt?: number };
    const observer = new MutationObserver(() => {
      const log = document.querySelector('[role="log"]');
      if (!log?.textContent?.includes(text)) return;
      observer.disconnect();
      requestAnimationFrame(() => {
        w.__firstChannelAt = performance.now();
      });
    });
    observer.observe(document, { childList: true, subtree: true, characterData: true });
  }, marker);
}

async function firstChannelAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(() => (window as unknown as { __firstChannelAt?: number }).__firstChannelAt, undefined, { timeout: 30_000 });
  return (await handle.jsonValue()) as number;
}

async function signedInContext(browser: Browser, cookies: Cookie[], marker: string): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addCookies(cookies);
  await watchFor(context, marker);
  return context;
}

/** Cold: every load in a fresh context (nothing cached), signed in by cookie. */
async function coldLoads(browser: Browser, url: string, cookies: Cookie[], marker: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const context = await signedInContext(browser, cookies, marker);
    const page = await context.newPage();
    await page.goto(url);
    samples.push(await firstChannelAt(page));
    await context.close();
  }
  return samples;
}

/** Warm: one context, a first load (not counted), then reloads with the cache filled. */
async function warmLoads(browser: Browser, url: string, cookies: Cookie[], marker: string): Promise<number[]> {
  const context = await signedInContext(browser, cookies, marker);
  const page = await context.newPage();
  await page.goto(url);
  await firstChannelAt(page);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await page.reload();
    samples.push(await firstChannelAt(page));
  }
  await context.close();
  return samples;
}

async function metrics(context: BrowserContext, page: Page): Promise<PageMetrics> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  await cdp.detach();
  const value = (name: string) => list.find((m) => m.name === name)?.value ?? NaN;
  return { jsHeapUsedBytes: value('JSHeapUsedSize'), jsHeapTotalBytes: value('JSHeapTotalSize'), domNodes: value('Nodes') };
}

/** Opens the long channel, measures, scrolls up until no more messages come (or all are there), measures again. */
async function memoryRun(browser: Browser, url: string, cookies: Cookie[], path: string, newest: string): Promise<MemoryRun> {
  const context = await signedInContext(browser, cookies, newest);
  const page = await context.newPage();
  await page.goto(`${url}${path}`);
  await firstChannelAt(page);
  await sleep(500);
  const before = await metrics(context, page);
  const count = () => page.locator('[data-post-id]').count();
  const started = Date.now();
  const postsOnOpen = await count();
  let rendered = postsOnOpen;
  let lastGrowth = Date.now();
  while (rendered < LONG_CHANNEL_POSTS && Date.now() - lastGrowth < 5_000) {
    await page.getByRole('log', { name: 'Messages' }).evaluate((el) => {
      el.scrollTop = 0;
    });
    await sleep(250);
    const now = await count();
    if (now > rendered) lastGrowth = Date.now();
    rendered = now;
  }
  const scrollSec = (Date.now() - started) / 1000;
  const after = await metrics(context, page);
  await context.close();
  return { seededPosts: LONG_CHANNEL_POSTS, postsOnOpen, renderedPosts: rendered, scrollSec, before, after };
}

async function seed(server: TestServer): Promise<{ user: NewUser; firstPath: string; firstMarker: string; longPath: string; longNewest: string }> {
  const user = await server.newUser({ username: 'bench' });
  const team = await user.client.createTeam({ name: 'bench', display_name: 'Bench', type: 'O' } as Team);
  const townSquare = await user.client.getChannelByName(team.id, 'town-square');
  const line = (n: number) => `Message ${n}: the quick brown fox jumps over the lazy dog, and the dog does not seem to mind at all.`;
  // Sequential, so that their order is their numbering.
  for (let n = 1; n <= FIRST_CHANNEL_POSTS; n++) await user.client.createPost({ channel_id: townSquare.id, message: line(n) } as Post);
  const long = await user.client.createChannel({ team_id: team.id, name: 'history', display_name: 'History', type: 'O' } as Channel);
  const numbers = Array.from({ length: LONG_CHANNEL_POSTS - 1 }, (_, i) => i + 1);
  await mapLimit(numbers, SEED_CONCURRENCY, (n) => user.client.createPost({ channel_id: long.id, message: `History ${line(n)}` } as Post));
  const longNewest = `The newest of ${LONG_CHANNEL_POSTS} messages.`;
  await user.client.createPost({ channel_id: long.id, message: longNewest } as Post);
  return {
    user,
    firstPath: `/${team.name}/channels/town-square`,
    firstMarker: line(FIRST_CHANNEL_POSTS),
    longPath: `/${team.name}/channels/${long.name}`,
    longNewest,
  };
}

async function main(): Promise<WebResults> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const bundle = bundleSizes();
  const loadAveragesBefore = loadavg().map((v) => round(v, 2));
  const machine = await machineInfo(ADMIN_DSN);

  log('starting a server');
  const server = await startServer();
  open.server = server;
  log(`seeding ${FIRST_CHANNEL_POSTS} messages in town-square and ${LONG_CHANNEL_POSTS} in a long channel`);
  const seeded = await seed(server);
  const cookies = await sessionCookies(server.url, seeded.user);

  const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, headless: true, args: CHROMIUM_ARGS });
  open.browser = browser;
  log(`cold loads (${RUNS})`);
  const firstChannel = `${server.url}${seeded.firstPath}`;
  const cold = await coldLoads(browser, firstChannel, cookies, seeded.firstMarker);
  log(`warm loads (${RUNS})`);
  const warm = await warmLoads(browser, firstChannel, cookies, seeded.firstMarker);
  log('memory of the long channel');
  const memory = await memoryRun(browser, server.url, cookies, seeded.longPath, seeded.longNewest);

  return {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    command: COMMAND,
    machine,
    chromium: browser.version(),
    loadAveragesBefore,
    loadAverageAfter1m: round(loadavg()[0], 2),
    firstChannelPosts: FIRST_CHANNEL_POSTS,
    firstChannelPath: seeded.firstPath,
    bundle,
    cold: loadTimes(cold),
    warm: loadTimes(warm),
    memory,
  };
}

await runBench({
  command: 'bench:web',
  log,
  main,
  cleanup,
  publish: (results) => publishResults({ name: 'web', heading: WEB_SECTION, results, markdown: renderWebMarkdown(results), developmentRun: DEVELOPMENT_RUN }),
  table: renderWebTable,
  failureOutput: () => (open.server?.logs ? `server output (tail):\n${open.server.logs.slice(-4000)}\n` : undefined),
});
