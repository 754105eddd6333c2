/**
 * A real nginx in front of cluster nodes, running the deploy config
 * (deploy/nginx/mattermost-cluster.conf, copied byte for byte; only the per-site includes are
 * written here: the upstream list with the shipped server parameters, the listen port, the access
 * log and the temp paths). The cluster suites read its JSON access log; the load test runs it
 * without one.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { childPids, isRunning, track, waitExit } from '../processes.js';
import { REPO_ROOT } from '../server-process.js';
import { sleep } from '../wait.js';

export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const NGINX_DEPLOY_DIR = join(REPO_ROOT, 'deploy/nginx');
const NGINX_MAIN = 'mattermost-cluster.conf';
const STOP_TIMEOUT_MS = 5_000;

export interface AccessLogEntry {
  /** When the request ended (ms since the epoch). */
  at: number;
  /** When it started (at − request_time). */
  startedAt: number;
  method: string;
  uri: string;
  status: number;
  /** Every node tried, comma-separated when nginx moved on to the next one. */
  upstream: string;
  upstreamStatus: string;
  requestTime: number;
}

/** The passive-health parameters of the shipped upstream list (the first `server` line's). */
export function shippedServerParameters(): string {
  const text = readFileSync(join(NGINX_DEPLOY_DIR, 'mattermost-site/upstream.conf'), 'utf8');
  const line = text.split('\n').find((l) => /^\s*server\s+\S+/.test(l));
  if (!line) throw new Error('deploy/nginx/mattermost-site/upstream.conf has no server line');
  return line
    .replace(/^\s*server\s+\S+\s*/, '')
    .replace(/;.*$/, '')
    .trim();
}

export class Nginx {
  private child?: ChildProcess;
  private output = '';
  /** The deploy file this instance runs (a byte-for-byte copy). */
  protected readonly mainFile: string = NGINX_MAIN;

  constructor(
    /** The instance's prefix: conf/, logs/, temp/ and the pid file. */
    readonly dir: string,
    readonly port: number,
    protected readonly upstreams: string[],
    /** Off for load: at thousands of requests a second the log would cost more than the proxying. */
    protected readonly accessLogEnabled = true,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/api/v4/websocket`;
  }

  /** The master's and its workers' process ids. */
  get pids(): number[] {
    const pid = this.child?.pid;
    return pid ? [pid, ...childPids(pid)] : [];
  }

  get accessLogPath(): string {
    return join(this.dir, 'logs/access.log');
  }

  get errorLogPath(): string {
    return join(this.dir, 'logs/error.log');
  }

  get confPath(): string {
    return join(this.dir, 'conf', this.mainFile);
  }

  /** Writes the config (the deploy file verbatim plus this instance's site includes). */
  writeConfig(): void {
    const conf = join(this.dir, 'conf');
    const site = join(conf, 'mattermost-site');
    const temp = join(this.dir, 'temp');
    for (const d of [site, join(this.dir, 'logs'), temp]) mkdirSync(d, { recursive: true });
    copyFileSync(join(NGINX_DEPLOY_DIR, this.mainFile), join(conf, this.mainFile));
    const params = shippedServerParameters();
    writeFileSync(join(site, 'upstream.conf'), this.upstreams.map((u) => `server ${u} ${params};\n`).join(''));
    this.writeSite(site, temp);
  }

  /** The access log directive's value. */
  protected get accessLogDirective(): string {
    return this.accessLogEnabled ? `${this.accessLogPath} mattermost_json` : 'off';
  }

  /** nginx's temp paths, inside this instance's folder. */
  protected tempPaths(temp: string): string {
    return ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(temp, t)};\n`).join('');
  }

  /** The site includes other than upstream.conf (mattermost-cluster.conf's). */
  protected writeSite(site: string, temp: string): void {
    writeFileSync(join(site, 'server.conf'), `listen 127.0.0.1:${this.port};\naccess_log ${this.accessLogDirective};\n`);
    writeFileSync(join(site, 'http.conf'), this.tempPaths(temp));
  }

  /** One request that succeeds (whatever its status) once nginx accepts connections. */
  protected probe(): Promise<unknown> {
    return fetch(`${this.url}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) });
  }

  private args(...extra: string[]): string[] {
    // Started as root, nginx runs its workers as `nobody`, who cannot enter this instance's folder
    // (mkdtemp makes it 0700) to spool request bodies over client_body_buffer_size: uploads would
    // get 500. The workers run as the user who started the tests instead, as they do when that
    // is not root.
    const user = process.getuid?.() === 0 ? ` user ${userInfo().username};` : '';
    return ['-p', `${this.dir}/`, '-c', this.confPath, '-e', this.errorLogPath, '-g', `pid ${join(this.dir, 'nginx.pid')};${user}${extra.join('')}`];
  }

  /** `nginx -t` on this instance's config; throws with nginx's output if it is refused. */
  test(): string {
    const r = spawnSync(NGINX_BIN, ['-t', ...this.args()], { encoding: 'utf8', timeout: 10_000 });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}${this.errorLog()}`;
    if (r.status !== 0) throw new Error(`nginx -t failed (${r.error?.message ?? r.status}):\n${out}`);
    return out;
  }

  async start(): Promise<void> {
    if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: apt-get install -y nginx (or set NGINX_BIN)`);
    this.writeConfig();
    this.test();
    const child = track(spawn(NGINX_BIN, this.args(' daemon off;'), { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    child.stdout!.on('data', (d) => (this.output += d));
    child.stderr!.on('data', (d) => (this.output += d));
    // Up when nginx accepts connections (it proxies /api/v4/system/ping to some node).
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && isRunning(child)) {
      try {
        await this.probe();
        return;
      } catch {
        await sleep(50);
      }
    }
    const log = this.errorLog();
    await this.stop();
    throw new Error(`nginx did not start:\n${this.output}\n${log}`);
  }

  /** Fast shutdown (SIGTERM); workers are killed too if the master does not get them out. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !isRunning(child)) return;
    const workers = childPids(child.pid);
    child.kill('SIGTERM');
    if (!(await waitExit(child, STOP_TIMEOUT_MS))) child.kill('SIGKILL');
    await waitExit(child, STOP_TIMEOUT_MS);
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* exited with the master */
      }
    }
  }

  /** What nginx has written to its error log so far ('' before it has one). */
  errorLog(): string {
    return existsSync(this.errorLogPath) ? readFileSync(this.errorLogPath, 'utf8') : '';
  }

  /** Every request nginx has logged so far (a WebSocket is logged when it closes). */
  accessLog(): AccessLogEntry[] {
    if (!existsSync(this.accessLogPath)) return [];
    return readFileSync(this.accessLogPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const e = JSON.parse(line);
        const at = Math.round(e.msec * 1000);
        const requestTime = Math.round(e.request_time * 1000);
        return {
          at,
          startedAt: at - requestTime,
          method: e.method,
          uri: e.uri,
          status: e.status,
          upstream: e.upstream,
          upstreamStatus: e.upstream_status,
          requestTime,
        };
      });
  }

  /** Status codes counted per window of `windowMs` (keyed by the window's start, ms since the epoch). */
  statusesByWindow(windowMs = 1000, entries = this.accessLog()): Map<number, Record<number, number>> {
    const windows = new Map<number, Record<number, number>>();
    for (const e of entries) {
      const key = e.at - (e.at % windowMs);
      const counts = windows.get(key) ?? {};
      counts[e.status] = (counts[e.status] ?? 0) + 1;
      windows.set(key, counts);
    }
    return new Map([...windows].sort((a, b) => a[0] - b[0]));
  }
}
