/**
 * End-to-end harness: starts the built server (`node dist/apps/server/main.js`) on a loopback port
 * with its own fresh database on the machine's PostgreSQL, and drives it only through Mattermost's
 * own client library (Client4 and WebSocketClient).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import mm from '@mattermost/client';
import type { Client4 as Client4Type, WebSocketClient as WebSocketClientType } from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import pg from 'pg';
import '../../apps/loadtest/src/node-globals.js'; // WebSocket and CloseEvent globals for the client

const { Client4, WebSocketClient } = mm;

export const ADMIN_DSN = process.env.TEST_PG_ADMIN_DSN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// The repo root is the nearest folder with a package.json: test/e2e/.. /.. here, and also when the
// harness runs compiled for the benchmarks (dist-bench/test/e2e).
function repoRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
const ENTRY = join(repoRoot(import.meta.dirname), 'dist/apps/server/main.js');

export interface WsEventMessage {
  event: string;
  data: Record<string, any>;
  broadcast: Record<string, any>;
  seq: number;
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

export async function createDatabase(): Promise<string> {
  const name = `mmtest_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DSN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DSN });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DSN);
  url.pathname = `/${name}`;
  url.search = '?sslmode=disable';
  return url.toString();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let userCounter = 0;

export class TestSocket {
  readonly events: WsEventMessage[] = [];
  /** Times the server could not resume and the client had to resync (a new hello). */
  missedResyncs = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocketClientType) {
    // Like the web app, listen for "missed messages": the client only keeps its connection_id
    // (and so only resumes) when such a listener exists.
    ws.addMissedMessageListener(() => this.missedResyncs++);
    ws.addMessageListener((msg: any) => {
      this.events.push(msg);
      for (const w of this.waiters) w();
    });
  }

  /** Resolves with the first event (already received or coming) that matches. */
  waitFor(event: string, predicate: (e: WsEventMessage) => boolean = () => true, timeoutMs = 5000): Promise<WsEventMessage> {
    return new Promise((ok, fail) => {
      const check = () => {
        const found = this.events.find((e) => e.event === event && predicate(e));
        if (found) {
          cleanup();
          ok(found);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        cleanup();
        fail(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"; got: ${this.events.map((e) => e.event).join(', ')}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      const waiter = () => void check();
      this.waiters.push(waiter);
      check();
    });
  }

  /** Waits `ms` and fails if a matching event arrived. */
  async expectNone(event: string, predicate: (e: WsEventMessage) => boolean = () => true, ms = 500): Promise<void> {
    await sleep(ms);
    const found = this.events.find((e) => e.event === event && predicate(e));
    if (found) throw new Error(`unexpected "${event}" event: ${JSON.stringify(found)}`);
  }

  count(event: string, predicate: (e: WsEventMessage) => boolean = () => true): number {
    return this.events.filter((e) => e.event === event && predicate(e)).length;
  }

  close() {
    this.ws.close();
  }
}

export interface NewUser {
  client: Client4Type;
  user: UserProfile;
  password: string;
}

export class TestServer {
  private output = '';

  constructor(
    readonly url: string,
    readonly port: number,
    readonly database: string,
    /** The server's own folder: config.json and the data directory. */
    readonly dir: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (d) => (this.output += d));
    child.stderr?.on('data', (d) => (this.output += d));
  }

  get wsUrl(): string {
    return this.url.replace(/^http/, 'ws') + '/api/v4/websocket';
  }

  get logs(): string {
    return this.output;
  }

  /** The server's process id (the benchmarks read its memory and CPU from /proc). */
  get pid(): number {
    return this.child.pid!;
  }


  client(): Client4Type {
    const c = new Client4();
    c.setUrl(this.url);
    return c;
  }

  /** Signs up and logs in a new user (the first user of a server is its system admin). */
  async newUser(opts: { username?: string; password?: string; admin?: NewUser } = {}): Promise<NewUser> {
    const n = ++userCounter;
    const suffix = randomBytes(3).toString('hex');
    const username = opts.username ?? `user${n}${suffix}`;
    const password = opts.password ?? `Passw0rd!${n}`;
    const creator = opts.admin?.client ?? this.client();
    await creator.createUser({ username, email: `${username}@example.com`, password } as UserProfile, '', '');
    const client = this.client();
    const user = await client.login(username, password);
    return { client, user, password };
  }

  /** A WebSocketClient authenticated as `client`'s user, after its `hello`. */
  async socket(client: Client4Type, opts: { minRetryMs?: number } = {}): Promise<TestSocket> {
    const ws = new WebSocketClient({ minWebSocketRetryTime: opts.minRetryMs ?? 200, reconnectJitterRange: 50 });
    const socket = new TestSocket(ws);
    ws.initialize(this.wsUrl, client.getToken());
    await socket.waitFor('hello');
    return socket;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    await dropDatabase(this.database).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Environment that makes a test server quiet and open for sign-ups. */
export function baseEnv(port: number, database: string, dir: string, host = '127.0.0.1'): Record<string, string> {
  return {
    MM_CONFIG: join(dir, 'config.json'),
    MM_SQLSETTINGS_DATASOURCE: databaseUrl(database),
    MM_SERVICESETTINGS_LISTENADDRESS: `${host}:${port}`,
    MM_SERVICESETTINGS_SITEURL: `http://${host}:${port}`,
    MM_FILESETTINGS_DIRECTORY: join(dir, 'data'),
    MM_TEAMSETTINGS_ENABLEOPENSERVER: 'true',
    MM_TEAMSETTINGS_MAXUSERSPERTEAM: '10000',
    MM_LOGSETTINGS_CONSOLELEVEL: 'WARN',
    MM_SQLSETTINGS_MAXOPENCONNS: '20',
  };
}

export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await createDatabase();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mm-e2e-'));
  const child = spawn(process.execPath, [ENTRY], {
    env: { ...process.env, ...baseEnv(port, database, dir), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = new TestServer(`http://127.0.0.1:${port}`, port, database, dir, child);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${server.url}/api/v4/system/ping`);
      if (res.ok) return server;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  const logs = server.logs;
  await server.stop();
  throw new Error(`server did not start:\n${logs}`);
}

/** Runs `fn` and returns the ClientError it throws (fails if it does not throw). */
export async function expectClientError(fn: () => Promise<unknown>): Promise<{ status_code: number; server_error_id: string; message: string }> {
  try {
    await fn();
  } catch (err: any) {
    return err;
  }
  throw new Error('expected the call to fail');
}
