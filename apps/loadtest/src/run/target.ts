/**
 * What the load test runs against: a URL given on the command line (a node or an nginx in front
 * of several), or servers it starts itself on this machine — one node, or a cluster of nodes on
 * 127.0.0.1, 127.0.0.2, … sharing one database behind nginx running deploy/nginx's config.
 * Started servers get their own fresh database on the local PostgreSQL and are stopped (and the
 * database dropped unless kept) at the end.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertLoopback, repoRoot } from '../config.js';
import { ADMIN_DSN, createDatabase, databaseUrl, dropDatabase, freePort, sleep } from '../../../../test/e2e/harness.js';

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
  /** Write a V8 CPU profile of each node into this folder (node --cpu-prof), saved when it stops. */
  cpuProfileDir?: string;
  /** Use this existing database instead of a fresh one. */
  database?: string;
  /** Per-node SqlSettings.MaxOpenConns (PostgreSQL here allows 100 connections in all). */
  maxOpenConns?: number;
}

const START_TIMEOUT_MS = 60_000;
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

class ServerProcess {
  readonly child: ChildProcess;
  private exited: Promise<void>;

  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
    logFile: string,
  ) {
    this.child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(logFile);
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((r) => this.child.once('exit', () => r()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitReady(url: string, logFile: string): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline && this.running) {
      try {
        const res = await fetch(`${url}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      await sleep(200);
    }
    await this.stop();
    throw new Error(`${this.name} did not start:\n${existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-4000) : ''}`);
  }

  /** SIGTERM (a graceful stop, which also writes --cpu-prof profiles), SIGKILL after a while. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
    if (!stopped) this.child.kill('SIGKILL');
  }
}

function serverEntry(): string {
  const entry = join(repoRoot(), 'dist/apps/server/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} not found: run npm run build first`);
  return entry;
}

function nodeArgs(cpuProfileDir: string | undefined, name: string): string[] {
  if (!cpuProfileDir) return [serverEntry()];
  mkdirSync(cpuProfileDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`, `--cpu-prof-name=${name}.cpuprofile`, serverEntry()];
}

/** One node on a free port of 127.0.0.1, with a fresh database (or `opts.database`). */
export async function startSingleNode(opts: StartOptions = {}): Promise<Target> {
  const database = opts.database ?? (await createDatabase());
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mm-loadtest-'));
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...loadEnv(),
    MM_CONFIG: join(dir, 'config.json'),
    MM_SQLSETTINGS_DATASOURCE: databaseUrl(database),
    MM_SQLSETTINGS_MAXOPENCONNS: String(opts.maxOpenConns ?? 40),
    MM_SERVICESETTINGS_LISTENADDRESS: `127.0.0.1:${port}`,
    MM_SERVICESETTINGS_SITEURL: url,
    MM_FILESETTINGS_DIRECTORY: join(dir, 'data'),
    ...opts.env,
  };
  const logFile = join(dir, 'node.log');
  const proc = new ServerProcess('server', nodeArgs(opts.cpuProfileDir, 'node'), env, logFile);
  try {
    await proc.waitReady(url, logFile);
  } catch (err) {
    if (!opts.database) await dropDatabase(database).catch(() => undefined);
    throw err;
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/api/v4/websocket`,
    pids: [proc.pid],
    databaseUrl: databaseUrl(database),
    database,
    nodes: 1,
    dir,
    description: `one node (pid ${proc.pid}) on ${url}, database ${database}`,
    async stop({ keepDatabase = false } = {}) {
      await proc.stop();
      if (!keepDatabase) await dropDatabase(database).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const NODE_PORT = 8065;
const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';

/**
 * `nodes` cluster nodes on 127.0.0.1… (port 8065, gossip 8074, streaming 8075) sharing one
 * database, and nginx with deploy/nginx/mattermost-cluster.conf on a free port in front.
 */
export async function startCluster(nodes: number, opts: StartOptions = {}): Promise<Target> {
  const database = opts.database ?? (await createDatabase());
  const dir = mkdtempSync(join(tmpdir(), 'mm-loadtest-cluster-'));
  const nginxPort = await freePort();
  const siteUrl = `http://127.0.0.1:${nginxPort}`;
  const secret = randomBytes(24).toString('base64url');
  const procs: ServerProcess[] = [];
  let nginx: ChildProcess | undefined;
  const stopAll = async (keepDatabase: boolean) => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await Promise.race([new Promise((r) => nginx!.once('exit', r)), sleep(5000)]);
    }
    await Promise.all(procs.map((p) => p.stop()));
    if (!keepDatabase && !opts.database) await dropDatabase(database).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < nodes; i++) {
      const host = `127.0.0.${i + 1}`;
      const nodeDir = join(dir, `node${i}`);
      mkdirSync(nodeDir, { recursive: true });
      const env = {
        ...loadEnv(),
        MM_CONFIG: join(nodeDir, 'config.json'),
        MM_SQLSETTINGS_DATASOURCE: databaseUrl(database),
        MM_SQLSETTINGS_MAXOPENCONNS: String(opts.maxOpenConns ?? 20),
        MM_SERVICESETTINGS_LISTENADDRESS: `${host}:${NODE_PORT}`,
        MM_SERVICESETTINGS_SITEURL: siteUrl,
        MM_FILESETTINGS_DIRECTORY: join(dir, 'files'),
        MM_CLUSTERSETTINGS_ENABLE: 'true',
        MM_CLUSTERSETTINGS_CLUSTERNAME: 'loadtest',
        MM_CLUSTERSETTINGS_CLUSTERSECRET: secret,
        MM_CLUSTERSETTINGS_BINDADDRESS: host,
        MM_CLUSTERSETTINGS_ADVERTISEADDRESS: host,
        ...opts.env,
      };
      procs.push(new ServerProcess(`node ${i}`, nodeArgs(opts.cpuProfileDir, `node${i}`), env, join(nodeDir, 'node.log')));
    }
    await Promise.all(procs.map((p, i) => p.waitReady(`http://127.0.0.${i + 1}:${NODE_PORT}`, join(dir, `node${i}`, 'node.log'))));
    nginx = startNginx(join(dir, 'nginx'), nginxPort, procs.map((_, i) => `127.0.0.${i + 1}:${NODE_PORT}`));
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        const res = await fetch(`${siteUrl}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline || nginx.exitCode !== null) throw new Error(`nginx did not start: ${readFileSync(join(dir, 'nginx/logs/error.log'), 'utf8').slice(-2000)}`);
      await sleep(100);
    }
  } catch (err) {
    await stopAll(false);
    throw err;
  }
  const nginxPids = [nginx.pid!, ...childPids(nginx.pid!)];
  return {
    url: siteUrl,
    wsUrl: `ws://127.0.0.1:${nginxPort}/api/v4/websocket`,
    pids: procs.map((p) => p.pid),
    databaseUrl: databaseUrl(database),
    database,
    nodes,
    dir,
    description: `${nodes} cluster nodes on 127.0.0.1–${nodes}:${NODE_PORT} (pids ${procs.map((p) => p.pid).join(', ')}) behind nginx ${siteUrl} (pids ${nginxPids.join(', ')}), database ${database}`,
    stop: ({ keepDatabase = false } = {}) => stopAll(keepDatabase),
  };
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** nginx with the deploy config verbatim and this run's site includes (upstreams, port, logs, temp paths). */
function startNginx(dir: string, port: number, upstreams: string[]): ChildProcess {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found (apt-get install nginx, or set NGINX_BIN)`);
  const deploy = join(repoRoot(), 'deploy/nginx');
  const conf = join(dir, 'conf');
  const site = join(conf, 'mattermost-site');
  for (const d of [site, join(dir, 'logs'), join(dir, 'temp')]) mkdirSync(d, { recursive: true });
  copyFileSync(join(deploy, 'mattermost-cluster.conf'), join(conf, 'mattermost-cluster.conf'));
  const shipped = readFileSync(join(deploy, 'mattermost-site/upstream.conf'), 'utf8');
  const params = /^server\s+\S+\s+([^;]*);/m.exec(shipped)?.[1] ?? 'max_fails=3 fail_timeout=10s';
  writeFileSync(join(site, 'upstream.conf'), upstreams.map((u) => `server ${u} ${params};\n`).join(''));
  // No access log: at thousands of requests a second it would cost more than the proxying.
  writeFileSync(join(site, 'server.conf'), `listen 127.0.0.1:${port};\naccess_log off;\n`);
  writeFileSync(join(site, 'http.conf'), ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, 'temp', t)};\n`).join(''));
  const args = ['-p', `${dir}/`, '-c', join(conf, 'mattermost-cluster.conf'), '-e', join(dir, 'logs/error.log'), '-g', `pid ${join(dir, 'nginx.pid')}; daemon off;`];
  execFileSync(NGINX_BIN, ['-t', ...args.slice(0, -2), '-g', `pid ${join(dir, 'nginx.pid')};`], { stdio: 'pipe', timeout: 10_000 });
  return spawn(NGINX_BIN, args, { stdio: 'ignore' });
}

export { ADMIN_DSN };
