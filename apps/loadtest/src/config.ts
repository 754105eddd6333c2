/**
 * The load test's one configuration: apps/loadtest/config/default.json (Mattermost's defaults),
 * optionally merged with another file and `--set path=value` overrides.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface Thresholds {
  avgRequestMs: number;
  p99RequestMs: number;
  http5xxPercent: number;
  timeoutPercent: number;
}

export interface CoordinatorConfig {
  numUsersInc: number;
  numUsersDec: number;
  restTimeSec: number;
  updateIntervalMs: number;
  maxActiveUsers: number;
  healthWindowSec: number;
  healthWarmupSec: number;
  stableWindowSec: number;
  stopSlope: number;
  maxDurationSec: number;
  thresholds: Thresholds;
}

export interface UserControllerConfig {
  minIdleTimeMs: number;
  avgIdleTimeMs: number;
  rate: number;
  idleBeforeLogin: boolean;
  percentReplies: number;
  percentMentions: number;
  percentLinks: number;
  percentPermalinks: number;
  avgWordsPerPost: number;
  avgWordsPerReply: number;
  statusPollIntervalMs: number;
  typingKeystrokeMs: [number, number];
  scrollPauseMs: [number, number];
  postsPerPage: number;
  actions: Record<string, number>;
}

export interface SeedConfig {
  teams: number;
  users: number;
  teamsPerUser: number;
  publicChannels: number;
  privateChannels: number;
  publicChannelMembersPercent: [number, number];
  privateChannelMembers: [number, number];
  directChannels: number;
  groupChannels: number;
  groupChannelMembers: [number, number];
  posts: number;
  postShares: { public: number; private: number; direct: number; group: number };
  postSpanDays: number;
  usersPath: 'sql' | 'api';
  postsPath: 'sql' | 'api';
  concurrency: number;
  randomSeed: number;
}

export interface LoadTestConfig {
  target: { url: string; serverPids: number[]; databaseUrl: string; requestTimeoutMs: number };
  users: { usernamePrefix: string; emailDomain: string; password: string; adminUsername: string; adminPassword: string };
  userController: UserControllerConfig;
  coordinator: CoordinatorConfig;
  bounded: { users: number; durationSec: number };
  generator: { workers: number; saturationElu: number };
  seed: SeedConfig;
  output: { dir: string; progressIntervalMs: number };
}

/** apps/loadtest/config, found from the compiled (dist-loadtest/apps/loadtest/src) or source location. */
export function configDir(): string {
  let dir = import.meta.dirname;
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'apps/loadtest/config');
    if (existsSync(join(candidate, 'default.json'))) return candidate;
    if (existsSync(join(dir, 'config/default.json')) && dir.endsWith('loadtest')) return join(dir, 'config');
    dir = dirname(dir);
  }
  throw new Error(`apps/loadtest/config/default.json not found above ${import.meta.dirname}`);
}

/** The repository root (the nearest folder above this file with a package.json and apps/). */
export function repoRoot(): string {
  return resolve(configDir(), '../../..');
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `over` merged into `base`: objects key by key, everything else replaced. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isObject(base) || !isObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

/** Sets `a.b.c=value` in a copy; the value is parsed as JSON when it can be (numbers, booleans, arrays). */
export function applySetting<T>(config: T, assignment: string): T {
  const eq = assignment.indexOf('=');
  if (eq <= 0) throw new Error(`--set expects path=value, got "${assignment}"`);
  const path = assignment.slice(0, eq).split('.');
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    /* a plain string */
  }
  let patch: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) patch = { [path[i]]: patch };
  const probe = path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), config as unknown);
  if (probe === undefined) throw new Error(`--set ${path.join('.')}: no such setting`);
  return deepMerge(config, patch);
}

function stripComments(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripComments);
  if (!isObject(v)) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([k]) => k !== '$comment')
      .map(([k, x]) => [k, stripComments(x)]),
  );
}

export function readJson(path: string): unknown {
  return stripComments(JSON.parse(readFileSync(path, 'utf8')));
}

export function loadConfig(opts: { files?: string[]; set?: string[] } = {}): LoadTestConfig {
  let config = readJson(join(configDir(), 'default.json')) as LoadTestConfig;
  for (const file of opts.files ?? []) {
    const path = existsSync(file) ? file : join(configDir(), file);
    config = deepMerge(config, readJson(path));
  }
  for (const s of opts.set ?? []) config = applySetting(config, s);
  validateConfig(config);
  return config;
}

/** Only loopback addresses: the load test must never be pointed at someone else's machine. */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  const ok = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (!ok) throw new Error(`refusing to load ${url}: only loopback targets (127.0.0.0/8, ::1, localhost) are allowed`);
}

export function validateConfig(c: LoadTestConfig): void {
  const u = c.userController;
  const fail = (msg: string) => {
    throw new Error(`invalid load-test config: ${msg}`);
  };
  assertLoopback(c.target.url);
  if (!(u.minIdleTimeMs >= 0)) fail('userController.minIdleTimeMs must be ≥ 0');
  if (!(u.avgIdleTimeMs > u.minIdleTimeMs)) fail('userController.avgIdleTimeMs must be greater than minIdleTimeMs');
  if (!(u.rate > 0)) fail('userController.rate must be > 0');
  for (const k of ['percentReplies', 'percentMentions', 'percentLinks', 'percentPermalinks'] as const) {
    if (!(u[k] >= 0 && u[k] <= 1)) fail(`userController.${k} must be within [0, 1]`);
  }
  if (!Object.values(u.actions).some((w) => w > 0)) fail('userController.actions needs at least one positive weight');
  if (Object.values(u.actions).some((w) => !(w >= 0))) fail('userController.actions weights must be ≥ 0');
  const k = c.coordinator;
  if (!(k.numUsersInc > 0 && k.numUsersDec > 0)) fail('coordinator.numUsersInc/numUsersDec must be > 0');
  if (!(k.updateIntervalMs >= 100)) fail('coordinator.updateIntervalMs must be ≥ 100');
  if (!(k.maxDurationSec > 0)) fail('coordinator.maxDurationSec must be > 0');
  if (!(k.stableWindowSec > 0 && k.healthWindowSec > 0)) fail('coordinator windows must be > 0');
  if (!(c.generator.workers >= 1 && c.generator.workers <= 16)) fail('generator.workers must be within 1..16');
  if (!(c.bounded.users >= 0 && c.bounded.durationSec > 0)) fail('bounded.users ≥ 0 and bounded.durationSec > 0');
  if (!(c.target.requestTimeoutMs > 0)) fail('target.requestTimeoutMs must be > 0');
}
