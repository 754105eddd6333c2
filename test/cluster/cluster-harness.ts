/**
 * Cluster harness: N built nodes (`node dist/apps/server/main.js`) on 127.0.0.1, 127.0.0.2, …
 * (ListenAddress 127.0.0.x:8065, gossip 8074/UDP and streaming 8075 on the same address), one
 * fresh database they all share, and a real nginx in front running the deploy config
 * (deploy/nginx/mattermost-cluster.conf, copied byte for byte; only the per-site includes are
 * written here). Tests drive it only through @mattermost/client, signals and the database.
 *
 * The ports are fixed, so one cluster runs at a time (the `cluster` Vitest project has
 * maxWorkers 1). Every wait is bounded, and stop() kills every process and drops the database
 * even after a failure; a process-exit hook kills what a crashed test left behind.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, WriteStream, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mm from '@mattermost/client';
import type { Client4 as Client4Type, WebSocketClient as WebSocketClientType } from '@mattermost/client';
import type { ClusterInfo } from '@mattermost/types/admin';
import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import pg from 'pg';
import { WebSocket } from 'ws';
import { baseEnv, createDatabase, databaseUrl, dropDatabase, freePort, NewUser, sleep, TestSocket, WsEventMessage } from '../e2e/harness.js';

const { Client4, WebSocketClient } = mm;

// The repo root is the nearest folder with a package.json: test/cluster/../.. here, and also when
// the harness runs compiled for the benchmarks (dist-bench/test/cluster).
function repoRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const REPO = repoRoot(import.meta.dirname);
const ENTRY = join(REPO, 'dist/apps/server/main.js');
export const NGINX_BIN = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
export const NGINX_DEPLOY_DIR = join(REPO, 'deploy/nginx');
const NGINX_MAIN = 'mattermost-cluster.conf';

export const HTTP_PORT = 8065;
export const GOSSIP_PORT = 8074;
export const STREAMING_PORT = 8075;
const NODE_START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const MAX_LOG_CHARS = 200_000;

/** Where a client or socket goes: the nginx in front, or one node by index. */
export type Target = 'nginx' | number;

export const nodeHost = (index: number) => `127.0.0.${index + 1}`;

// ---------------------------------------------------------------------------------------------
// Processes left running when the test process exits (a crash, a timeout) are killed here.

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    for (const pid of [...childPids(child.pid), child.pid]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
});

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Direct children of a process (nginx workers), from /proc. */
function childPids(pid: number | undefined): number[] {
  if (!pid) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const running = (child: ChildProcess | undefined): boolean => !!child && child.exitCode === null && child.signalCode === null;

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!running(child)) return Promise.resolve(true);
  return new Promise((ok) => {
    const timer = setTimeout(() => ok(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      ok(true);
    });
  });
}

/** Waits (up to 5 s) for host:port to be bindable; names whoever holds it if it stays taken. */
async function assertPortFree(host: string, port: number, protocol: 'tcp' | 'udp'): Promise<void> {
  const deadline = Date.now() + 5000;
  let error = await tryBind(host, port, protocol);
  while (error && Date.now() < deadline) {
    await sleep(200);
    error = await tryBind(host, port, protocol);
  }
  if (error) {
    const holder = spawnSync('ss', [protocol === 'tcp' ? '-ltnpH' : '-lunpH', `src ${host}:${port}`], { encoding: 'utf8', timeout: 2000 }).stdout?.trim();
    throw new Error(`${host}:${port}/${protocol} is in use (${error.message}; ${holder || 'holder unknown'}); is another cluster test or a leftover node running?`);
  }
}

function tryBind(host: string, port: number, protocol: 'tcp' | 'udp'): Promise<Error | null> {
  return new Promise<Error | null>((ok) => {
    if (protocol === 'tcp') {
      const srv = createServer();
      srv.once('error', ok);
      srv.listen(port, host, () => srv.close(() => ok(null)));
    } else {
      const sock = createSocket('udp4');
      sock.once('error', (err) => {
        sock.close();
        ok(err);
      });
      sock.bind(port, host, () => sock.close(() => ok(null)));
    }
  });
}

/** Retries `fn` until it returns without throwing, or rethrows its last error after `timeoutMs`. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs: number, intervalMs = 50): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() - started >= timeoutMs) {
        if (err instanceof Error) err.message = `still failing after ${Date.now() - started} ms: ${err.message}`;
        throw err;
      }
    }
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Nodes

export type NodeState = 'running' | 'stopped' | 'dead';

export class ClusterNode {
  private child?: ChildProcess;
  private output = '';
  private logFile?: WriteStream;
  private starts = 0;
  /** When the node last answered its first ping after a start. */
  readyAt = 0;
  state: NodeState = 'dead';

  constructor(
    readonly index: number,
    readonly host: string,
    /** The node's own folder: config.json and its log files. */
    readonly dir: string,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://${this.host}:${HTTP_PORT}`;
  }

  get wsUrl(): string {
    return `ws://${this.host}:${HTTP_PORT}/api/v4/websocket`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** stdout and stderr of every start of this node (the last MAX_LOG_CHARS). */
  get logs(): string {
    return this.output;
  }

  client(): Client4Type {
    const c = new Client4();
    c.setUrl(this.url);
    return c;
  }

  /** Spawns the node and waits for its first answer to /api/v4/system/ping. */
  async start(): Promise<void> {
    if (running(this.child)) throw new Error(`node ${this.index} is already running`);
    await assertPortFree(this.host, HTTP_PORT, 'tcp');
    await assertPortFree(this.host, GOSSIP_PORT, 'udp');
    await assertPortFree(this.host, STREAMING_PORT, 'tcp');
    this.starts++;
    this.logFile?.end();
    this.logFile = createWriteStream(join(this.dir, `node-${this.starts}.log`));
    const child = track(spawn(process.execPath, [ENTRY], { env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    this.state = 'running';
    const append = (d: Buffer) => {
      this.output = (this.output + d).slice(-MAX_LOG_CHARS);
      this.logFile?.write(d);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    child.once('exit', () => {
      if (this.child === child) this.state = 'dead';
    });
    const deadline = Date.now() + NODE_START_TIMEOUT_MS;
    while (Date.now() < deadline && running(child)) {
      try {
        const res = await fetch(`${this.url}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          this.readyAt = Date.now();
          return;
        }
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    const why = running(child) ? `did not answer within ${NODE_START_TIMEOUT_MS} ms` : `exited (${child.exitCode ?? child.signalCode})`;
    await this.stop();
    throw new Error(`node ${this.index} (${this.host}) ${why}:\n${this.output.slice(-5000)}`);
  }

  /**
   * SIGKILL (waits until the process is gone), SIGSTOP (frozen: sockets stay open, nothing is
   * answered) or SIGCONT.
   */
  async kill(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const child = this.child;
    if (!child || !running(child)) throw new Error(`node ${this.index} is not running`);
    child.kill(signal);
    if (signal === 'SIGKILL') {
      if (!(await waitExit(child, STOP_TIMEOUT_MS))) throw new Error(`node ${this.index} survived SIGKILL`);
      this.state = 'dead';
    } else {
      this.state = signal === 'SIGSTOP' ? 'stopped' : 'running';
    }
  }

  /** Graceful stop (SIGTERM, the node leaves the cluster), SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && running(child)) {
      if (this.state === 'stopped') child.kill('SIGCONT');
      child.kill('SIGTERM');
      if (!(await waitExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitExit(child, STOP_TIMEOUT_MS);
      }
    }
    this.state = 'dead';
    await new Promise<void>((ok) => (this.logFile ? this.logFile.end(ok) : ok()));
    this.logFile = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// nginx

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
  return line.replace(/^\s*server\s+\S+\s*/, '').replace(/;.*$/, '').trim();
}

export class Nginx {
  private child?: ChildProcess;
  private output = '';

  constructor(
    /** The instance's prefix: conf/, logs/, temp/ and the pid file. */
    readonly dir: string,
    readonly port: number,
    private readonly upstreams: string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/api/v4/websocket`;
  }

  get accessLogPath(): string {
    return join(this.dir, 'logs/access.log');
  }

  get errorLogPath(): string {
    return join(this.dir, 'logs/error.log');
  }

  get confPath(): string {
    return join(this.dir, 'conf', NGINX_MAIN);
  }

  /** Writes the config (the deploy file verbatim plus this instance's site includes). */
  writeConfig(): void {
    const conf = join(this.dir, 'conf');
    const site = join(conf, 'mattermost-site');
    const temp = join(this.dir, 'temp');
    for (const d of [site, join(this.dir, 'logs'), temp]) mkdirSync(d, { recursive: true });
    copyFileSync(join(NGINX_DEPLOY_DIR, NGINX_MAIN), join(conf, NGINX_MAIN));
    const params = shippedServerParameters();
    writeFileSync(join(site, 'upstream.conf'), this.upstreams.map((u) => `server ${u} ${params};\n`).join(''));
    writeFileSync(join(site, 'server.conf'), `listen 127.0.0.1:${this.port};\naccess_log ${this.accessLogPath} mattermost_json;\n`);
    writeFileSync(
      join(site, 'http.conf'),
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(temp, t)};\n`).join(''),
    );
  }

  private args(...extra: string[]): string[] {
    return ['-p', `${this.dir}/`, '-c', this.confPath, '-e', this.errorLogPath, '-g', `pid ${join(this.dir, 'nginx.pid')};${extra.join('')}`];
  }

  /** `nginx -t` on this instance's config; throws with nginx's output if it is refused. */
  test(): string {
    const r = spawnSync(NGINX_BIN, ['-t', ...this.args()], { encoding: 'utf8', timeout: 10_000 });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}${existsSync(this.errorLogPath) ? readFileSync(this.errorLogPath, 'utf8') : ''}`;
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
    while (Date.now() < deadline && running(child)) {
      try {
        await fetch(`${this.url}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) });
        return;
      } catch {
        await sleep(50);
      }
    }
    const log = existsSync(this.errorLogPath) ? readFileSync(this.errorLogPath, 'utf8') : '';
    await this.stop();
    throw new Error(`nginx did not start:\n${this.output}\n${log}`);
  }

  /** Fast shutdown (SIGTERM); workers are killed too if the master does not get them out. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !running(child)) return;
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

// ---------------------------------------------------------------------------------------------
// WebSockets

interface RawFrame {
  /** Which physical connection (1 = the first) the frame came on. */
  conn: number;
  at: number;
  msg: any;
}

/** The socket's route and a record of every raw frame, below the client library's checks. */
class SocketWire {
  readonly frames: RawFrame[] = [];
  connections = 0;
  closed = false;
  current?: WebSocket;

  constructor(public target: string) {}

  open(url: string): WebSocket {
    if (this.closed) return inertSocket();
    // The client builds `<url>?connection_id=…&sequence_number=…`; only the origin is rerouted.
    const u = new URL(url);
    const t = new URL(this.target);
    u.protocol = t.protocol;
    u.host = t.host;
    const conn = ++this.connections;
    const ws = new WebSocket(u.toString());
    ws.addEventListener('message', (e) => {
      try {
        this.frames.push({ conn, at: Date.now(), msg: JSON.parse(String(e.data)) });
      } catch {
        this.frames.push({ conn, at: Date.now(), msg: { unparsable: String(e.data) } });
      }
    });
    this.current = ws;
    return ws;
  }
}

/** Stands in for a socket after close(), so a reconnect scheduled earlier goes nowhere. */
function inertSocket(): WebSocket {
  return { readyState: 3, send() {}, close() {}, addEventListener() {}, removeEventListener() {} } as unknown as WebSocket;
}

/**
 * A WebSocketClient like the e2e TestSocket (same events/waitFor/expectNone), whose connections
 * (the first and every reconnect) go to `target`: a node or nginx, changeable at any time. It
 * also keeps the raw frames, so sequence gaps and duplicates the client library would hide
 * (it drops an out-of-order frame and reconnects) still show.
 */
export class ClusterSocket extends TestSocket {
  private readonly missedListeners: Array<() => void> = [];

  constructor(
    ws: WebSocketClientType,
    private readonly wire: SocketWire,
  ) {
    super(ws);
    ws.addMissedMessageListener(() => {
      for (const l of this.missedListeners) l();
    });
  }

  /** The WebSocket URL the next reconnect goes to. */
  get target(): string {
    return this.wire.target;
  }

  set target(url: string) {
    this.wire.target = url;
  }

  get frames(): readonly RawFrame[] {
    return this.wire.frames;
  }

  /** Physical connections opened so far (1 until the first reconnect). */
  get connections(): number {
    return this.wire.connections;
  }

  get connectionId(): string {
    return (this.ws as any).connectionId;
  }

  /** Every connection id a `hello` announced, in order. */
  helloIds(): string[] {
    return this.wire.frames.filter((f) => f.msg.event === 'hello').map((f) => f.msg.data.connection_id);
  }

  /** Called when the server could not resume and started a new connection (a fresh `hello`). */
  onMissed(listener: () => void): void {
    this.missedListeners.push(listener);
  }

  /** Cuts the TCP connection under the client (it reconnects to `target` after its retry time). */
  dropConnection(): void {
    this.wire.current?.terminate();
  }

  /**
   * Problems in the raw event stream: each `hello` starts at seq 0 and every other event must
   * carry the next number, across resumed connections too. Empty when the stream is sound.
   */
  seqProblems(): string[] {
    const problems: string[] = [];
    let expected = -1;
    for (const { conn, msg } of this.wire.frames) {
      if (msg.seq_reply !== undefined || msg.event === undefined) continue;
      if (msg.event === 'hello') {
        if (msg.seq !== 0) problems.push(`conn ${conn}: hello with seq ${msg.seq}`);
        expected = 1;
        continue;
      }
      if (expected < 0) problems.push(`conn ${conn}: "${msg.event}" before any hello`);
      else if (msg.seq !== expected) problems.push(`conn ${conn}: "${msg.event}" seq ${msg.seq}, expected ${expected}`);
      expected = msg.seq + 1;
    }
    return problems;
  }

  /** Posts received (as accepted by the client library), in arrival order, optionally for one channel. */
  posted(channelId?: string): Post[] {
    return this.events
      .filter((e) => e.event === 'posted')
      .map((e) => JSON.parse(e.data.post) as Post)
      .filter((p) => !channelId || p.channel_id === channelId);
  }

  postedIds(channelId?: string): string[] {
    return this.posted(channelId).map((p) => p.id);
  }

  close(): void {
    this.wire.closed = true;
    super.close();
    this.wire.current?.terminate();
  }
}

/** Ids that occur more than once. */
export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/**
 * What a real client knows of one channel: posts that came over its socket, plus posts it
 * refetched over REST after each fresh `hello` (when its missed-message listener fired, as the
 * web app does).
 */
export class ChannelView {
  readonly refetched = new Set<string>();
  refetches = 0;
  private readonly pending: Promise<void>[] = [];

  constructor(
    readonly socket: ClusterSocket,
    private readonly client: Client4Type,
    readonly channelId: string,
  ) {
    socket.onMissed(() => this.pending.push(this.refetch()));
  }

  /** Pages through the channel over REST (retrying failed pages, bounded). */
  async refetch(): Promise<void> {
    this.refetches++;
    for (let page = 0; ; page++) {
      let list: { order: string[] } | undefined;
      for (let attempt = 0; !list; attempt++) {
        try {
          list = await this.client.getPosts(this.channelId, page, 200);
        } catch (err) {
          if (attempt >= 20) throw err;
          await sleep(250);
        }
      }
      for (const id of list.order) this.refetched.add(id);
      if (list.order.length < 200) return;
    }
  }

  /** Waits for refetches in progress. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  wsIds(): string[] {
    return this.socket.postedIds(this.channelId);
  }

  known(): Set<string> {
    return new Set([...this.wsIds(), ...this.refetched]);
  }
}

// ---------------------------------------------------------------------------------------------
// The cluster

export interface ClusterOptions {
  /** Nodes to start (127.0.0.1 …); 3 by default. */
  nodes?: number;
  clusterName?: string;
  /** The shared ClusterSecret (random by default). */
  secret?: string;
  /** Extra MM_* settings for every node. */
  env?: Record<string, string>;
  /** Start nginx in front (default true). */
  nginx?: boolean;
}

export interface AddNodeOptions {
  /** A different ClusterSecret than the cluster's (e.g. a node that must not get in). */
  secret?: string;
  env?: Record<string, string>;
}

let userCounter = 0;

export class TestCluster {
  readonly nodes: ClusterNode[] = [];
  nginx?: Nginx;
  private pool?: pg.Pool;
  private readonly sockets = new Set<ClusterSocket>();
  private stopped = false;

  constructor(
    readonly database: string,
    /** The cluster's folder: one folder per node, the shared file store, nginx. */
    readonly dir: string,
    readonly clusterName: string,
    readonly secret: string,
    private readonly env: Record<string, string>,
    readonly siteUrl: string,
  ) {}

  /** The base URL of a target (nginx or node i). */
  url(target: Target = 'nginx'): string {
    if (target === 'nginx') {
      if (!this.nginx) throw new Error('this cluster has no nginx');
      return this.nginx.url;
    }
    return this.node(target).url;
  }

  wsUrl(target: Target = 'nginx'): string {
    return this.url(target).replace(/^http/, 'ws') + '/api/v4/websocket';
  }

  node(index: number): ClusterNode {
    const n = this.nodes[index];
    if (!n) throw new Error(`no node ${index}`);
    return n;
  }

  /** Nodes whose process is running (not SIGSTOPped, not dead). */
  runningNodes(): ClusterNode[] {
    return this.nodes.filter((n) => n.state === 'running');
  }

  /** A new unauthenticated client for a target. */
  client(target: Target = 'nginx'): Client4Type {
    const c = new Client4();
    c.setUrl(this.url(target));
    return c;
  }

  /** Another client for the same session (token), pointed at another target. */
  clientAs(user: { client: Client4Type }, target: Target): Client4Type {
    const c = this.client(target);
    c.setToken(user.client.getToken());
    return c;
  }

  /** Signs up and logs in a user through `via` (the first user of the cluster is its system admin). */
  async newUser(opts: { via?: Target; admin?: NewUser; username?: string } = {}): Promise<NewUser> {
    const via = opts.via ?? 'nginx';
    const n = ++userCounter;
    const username = opts.username ?? `cu${n}${randomBytes(3).toString('hex')}`;
    const password = `Passw0rd!${n}`;
    const creator = opts.admin ? this.clientAs(opts.admin, via) : this.client(via);
    await creator.createUser({ username, email: `${username}@example.com`, password } as UserProfile, '', '');
    const client = this.client(via);
    const user = await client.login(username, password);
    return { client, user, password };
  }

  /** A connected, authenticated socket for `client`'s session, on `target`, after its `hello`. */
  async socket(client: Client4Type, target: Target = 'nginx', opts: { minRetryMs?: number; helloTimeoutMs?: number } = {}): Promise<ClusterSocket> {
    const wire = new SocketWire(this.wsUrl(target));
    const ws = new WebSocketClient({
      minWebSocketRetryTime: opts.minRetryMs ?? 200,
      maxWebSocketRetryTime: 2000,
      reconnectJitterRange: 50,
      newWebSocketFn: (url: string) => wire.open(url) as unknown as globalThis.WebSocket,
    });
    const socket = new ClusterSocket(ws, wire);
    this.sockets.add(socket);
    ws.initialize(this.wsUrl(target), client.getToken());
    await socket.waitFor('hello', () => true, opts.helloTimeoutMs ?? 10_000);
    return socket;
  }

  /** ClusterInfo of every node `target` lists (GET /api/v4/cluster/status, as `admin`). */
  async status(target: Target, admin: NewUser): Promise<ClusterInfo[]> {
    return this.clientAs(admin, target).getClusterStatus();
  }

  /**
   * Waits until every running node lists exactly the running nodes (by address) and they all
   * agree on the ids. Returns the id of each node by index.
   */
  async waitForMembership(admin: NewUser, timeoutMs: number): Promise<Map<number, string>> {
    return eventually(async () => {
      const expected = this.runningNodes().map((n) => n.host).sort();
      let agreed: string | undefined;
      const ids = new Map<number, string>();
      for (const n of this.runningNodes()) {
        const infos = await this.status(n.index, admin);
        const hosts = infos.map((i) => hostOf(i)).sort();
        if (JSON.stringify(hosts) !== JSON.stringify(expected)) throw new Error(`node ${n.index} lists ${hosts.join(', ')}, expected ${expected.join(', ')}`);
        const key = JSON.stringify(infos.map((i) => `${hostOf(i)}=${i.id}`).sort());
        if (agreed !== undefined && key !== agreed) throw new Error(`nodes disagree: ${agreed} vs ${key}`);
        agreed = key;
        for (const i of infos) ids.set(Number(hostOf(i).split('.')[3]) - 1, i.id);
      }
      return ids;
    }, timeoutMs, 100);
  }

  /** Runs SQL on the cluster's database. */
  async query<T extends Record<string, any> = Record<string, any>>(sql: string, params: unknown[] = []): Promise<T[]> {
    // bigint columns (ms timestamps) as numbers, as the server reads them.
    this.pool ??= new pg.Pool({
      connectionString: databaseUrl(this.database),
      max: 2,
      types: { getTypeParser: ((oid: number, format?: any) => (oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format))) as any },
    });
    return (await this.pool.query(sql, params)).rows as T[];
  }

  /** The MM_* environment of node `index`. */
  nodeEnv(index: number, secret = this.secret, extra: Record<string, string> = {}): Record<string, string> {
    const host = nodeHost(index);
    const dir = join(this.dir, `node${index}`);
    return {
      ...baseEnv(HTTP_PORT, this.database, dir, host),
      MM_SERVICESETTINGS_SITEURL: this.siteUrl,
      // One file store for all nodes, as a cluster needs (NFS or S3 in production).
      MM_FILESETTINGS_DIRECTORY: join(this.dir, 'files'),
      MM_SQLSETTINGS_MAXOPENCONNS: '15',
      MM_LOGSETTINGS_CONSOLELEVEL: process.env.CLUSTER_TEST_LOG_LEVEL ?? 'WARN',
      MM_CLUSTERSETTINGS_ENABLE: 'true',
      MM_CLUSTERSETTINGS_CLUSTERNAME: this.clusterName,
      MM_CLUSTERSETTINGS_CLUSTERSECRET: secret,
      MM_CLUSTERSETTINGS_BINDADDRESS: host,
      MM_CLUSTERSETTINGS_ADVERTISEADDRESS: host,
      ...this.env,
      ...extra,
    };
  }

  /** Creates (does not start) node `index`. */
  private createNode(index: number, opts: AddNodeOptions = {}): ClusterNode {
    const dir = join(this.dir, `node${index}`);
    mkdirSync(dir, { recursive: true });
    const node = new ClusterNode(index, nodeHost(index), dir, this.nodeEnv(index, opts.secret ?? this.secret, opts.env));
    this.nodes[index] = node;
    return node;
  }

  /** Starts the initial nodes together (they race for the migration lock, as in production). */
  async startNodes(count: number): Promise<void> {
    const nodes = Array.from({ length: count }, (_, i) => this.createNode(i));
    const results = await Promise.allSettled(nodes.map((n) => n.start()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) throw new Error(failed.map((f) => String(f.reason?.message ?? f.reason)).join('\n\n'));
  }

  /** Starts one more node on the next address (not behind nginx). */
  async addNode(opts: AddNodeOptions = {}): Promise<ClusterNode> {
    const node = this.createNode(this.nodes.length, opts);
    await node.start();
    return node;
  }

  /** Stops node `index` if it still runs (gracefully), then starts it again with the same settings. */
  async restart(index: number): Promise<ClusterNode> {
    const node = this.node(index);
    await node.stop();
    await node.start();
    return node;
  }

  async startNginx(): Promise<void> {
    const port = Number(new URL(this.siteUrl).port);
    this.nginx = new Nginx(join(this.dir, 'nginx'), port, this.nodes.map((n) => `${n.host}:${HTTP_PORT}`));
    await this.nginx.start();
  }

  /** Logs of every node, for a failure message. */
  logs(): string {
    return this.nodes.map((n) => `--- node ${n.index} (${n.host}, ${n.state})\n${n.logs.slice(-4000)}`).join('\n');
  }

  /** Closes sockets, stops nginx and every node, drops the database and the folder. Never throws. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const s of this.sockets) {
      try {
        s.close();
      } catch {
        /* already closed */
      }
    }
    const steps: Array<Promise<unknown>> = [this.nginx?.stop() ?? Promise.resolve(), ...this.nodes.map((n) => n.stop())];
    await Promise.allSettled(steps);
    await this.pool?.end().catch(() => undefined);
    await dropDatabase(this.database).catch(() => undefined);
    if (!process.env.CLUSTER_TEST_KEEP) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The address part of a ClusterInfo's ipaddress (which may carry a port). */
export function hostOf(info: ClusterInfo): string {
  return info.ipaddress.replace(/:\d+$/, '');
}

/**
 * Starts a cluster: a fresh database, `nodes` nodes on 127.0.0.1… started together, then nginx
 * in front of them. Cleans everything up if any part fails to start.
 */
export async function startCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'mm-cluster-'));
  const database = await createDatabase();
  const withNginx = opts.nginx ?? true;
  // Clients reach the cluster through nginx, so that is the SiteURL (picked before the nodes start).
  const nginxPort = withNginx ? await freePort() : 0;
  const siteUrl = withNginx ? `http://127.0.0.1:${nginxPort}` : `http://${nodeHost(0)}:${HTTP_PORT}`;
  const cluster = new TestCluster(
    database,
    dir,
    opts.clusterName ?? 'test',
    opts.secret ?? randomBytes(24).toString('base64url'),
    opts.env ?? {},
    siteUrl,
  );
  try {
    await cluster.startNodes(opts.nodes ?? 3);
    if (withNginx) await cluster.startNginx();
    return cluster;
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** Runs `fn` and returns the ClientError it throws (fails if it does not throw). */
export async function clientError(fn: () => Promise<unknown>): Promise<{ status_code: number; server_error_id: string; message: string }> {
  try {
    await fn();
  } catch (err: any) {
    return err;
  }
  throw new Error('expected the call to fail');
}

export type { WsEventMessage };
