/**
 * What the load test runs against: a URL given on the command line (a node or an nginx in front
 * of several), or servers it starts itself on this machine — one node, or a cluster of nodes on
 * 127.0.0.1, 127.0.0.2, … sharing one database behind nginx running deploy/nginx's config.
 * Started servers get their own fresh database on the local PostgreSQL and are stopped (and the
 * database dropped unless kept) at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { databaseUrl, HTTP_PORT, startCluster as startTestCluster, startServer } from '#testing';
import { assertLoopback } from '../config.js';

export interface Target {
  url: string;
  wsUrl: string;
  /** The chat server processes (for CPU and RSS). */
  pids: number[];
  /** The servers' database, when known (bulk seeding, CPU of its backends). */
  databaseUrl?: string;
  database?: string;
  nodes: number;
  description: string;
  /** Folder with the servers' logs (and CPU profiles), when started here. */
  dir?: string;
  stop(opts?: { keepDatabase?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** Extra MM_* settings. */
  env?: Record<string, string>;
  /** Extra environment of cluster node `index` alone. */
  nodeEnv?: (index: number) => Record<string, string>;
  /** Write a V8 CPU profile of each node into this folder (node --cpu-prof), saved when it stops. */
  cpuProfileDir?: string;
  /** Use this existing database instead of a fresh one. */
  database?: string;
  /** Per-node SqlSettings.MaxOpenConns (PostgreSQL here allows 100 connections in all). */
  maxOpenConns?: number;
}

/** Long enough for a graceful stop to write the --cpu-prof profiles. */
const STOP_TIMEOUT_MS = 15_000;

/** Settings every started server gets: open for sign-ups, no rate limit, teams large enough. */
function loadEnv(): Record<string, string> {
  return {
    MM_TEAMSETTINGS_ENABLEOPENSERVER: 'true',
    MM_TEAMSETTINGS_MAXUSERSPERTEAM: '100000',
    MM_RATELIMITSETTINGS_ENABLE: 'false',
    MM_LOGSETTINGS_CONSOLELEVEL: 'WARN',
  };
}

/** A target given by URL: pids are those given, else whatever listens on the URL's port. */
export function urlTarget(url: string, pids: number[], databaseUrlOrEmpty: string): Target {
  assertLoopback(url);
  const found = pids.length ? pids : listeningPids(url);
  return {
    url: url.replace(/\/$/, ''),
    wsUrl: `${url.replace(/\/$/, '').replace(/^http/, 'ws')}/api/v4/websocket`,
    pids: found,
    databaseUrl: databaseUrlOrEmpty || undefined,
    nodes: found.length || 1,
    description: `${url} (pids ${found.join(', ') || 'unknown'})`,
    stop: async () => undefined,
  };
}

/** The pids listening on a URL's port (ss -ltnp). */
export function listeningPids(url: string): number[] {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const r = spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8', timeout: 3000 });
  return [...new Set([...(r.stdout ?? '').matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])))];
}

/** Node flags that write a V8 CPU profile of the server into `cpuProfileDir`, saved when it stops. */
function cpuProfileArgs(cpuProfileDir: string | undefined, name: string): string[] {
  if (!cpuProfileDir) return [];
  mkdirSync(cpuProfileDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=${name}.cpuprofile`];
}

/** One node on a free port of 127.0.0.1, with a fresh database (or `opts.database`). */
export async function startSingleNode(opts: StartOptions = {}): Promise<Target> {
  const server = await startServer(
    { ...loadEnv(), MM_SQLSETTINGS_MAXOPENCONNS: String(opts.maxOpenConns ?? 40), ...opts.env },
    { database: opts.database, execArgv: cpuProfileArgs(opts.cpuProfileDir, 'node'), startTimeoutMs: 60_000, stopTimeoutMs: STOP_TIMEOUT_MS },
  );
  return {
    url: server.url,
    wsUrl: server.wsUrl,
    pids: [server.pid],
    databaseUrl: databaseUrl(server.database),
    database: server.database,
    nodes: 1,
    dir: server.dir,
    description: `one node (pid ${server.pid}) on ${server.url}, database ${server.database}`,
    stop: ({ keepDatabase = false } = {}) => server.stop({ keepDatabase }),
  };
}

/**
 * `nodes` cluster nodes on 127.0.0.1… (port 8065, gossip 8074, streaming 8075) sharing one
 * database, and nginx with deploy/nginx/mattermost-cluster.conf on a free port in front (without
 * an access log: at thousands of requests a second it would cost more than the proxying).
 */
export async function startCluster(nodes: number, opts: StartOptions = {}): Promise<Target> {
  const cluster = await startTestCluster({
    nodes,
    clusterName: 'loadtest',
    env: { ...loadEnv(), MM_SQLSETTINGS_MAXOPENCONNS: String(opts.maxOpenConns ?? 20), ...opts.env },
    nodeEnv: opts.nodeEnv,
    nginxAccessLog: false,
    database: opts.database,
    execArgv: (i) => cpuProfileArgs(opts.cpuProfileDir, `node${i}`),
    stopTimeoutMs: STOP_TIMEOUT_MS,
  });
  const nginx = cluster.nginx!;
  const pids = cluster.nodes.map((n) => n.pid!);
  return {
    url: nginx.url,
    wsUrl: nginx.wsUrl,
    pids,
    databaseUrl: databaseUrl(cluster.database),
    database: cluster.database,
    nodes,
    dir: cluster.dir,
    description: `${nodes} cluster nodes on 127.0.0.1–${nodes}:${HTTP_PORT} (pids ${pids.join(', ')}) behind nginx ${nginx.url} (pids ${nginx.pids.join(', ')}), database ${cluster.database}`,
    stop: ({ keepDatabase = false } = {}) => cluster.stop({ keepDatabase }),
  };
}
