/**
 * One built chat server (`node dist/apps/server/main.js`) as a child process: spawned with MM_*
 * settings in its environment, ready once it answers /api/v4/system/ping, its output kept (and
 * written to a file per start when asked), stopped with SIGTERM (SIGKILL when that takes too
 * long), killed, frozen (SIGSTOP) and thawed (SIGCONT), and started again with the same settings.
 * The e2e server, the job nodes, the cluster nodes and the load test's servers are all one of these.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Client4 as Client4Type } from '@mattermost/client';
import { isRunning, track, waitExit } from './processes.js';
import { clientFor } from './users.js';
import { databaseUrl } from './database.js';
import { fetchTrusting } from './tls-client.js';
import { sleep } from './wait.js';

// The repo root is the nearest folder with a package.json: libs/testing/src/../../.. here, and
// also when this runs compiled (dist/libs/testing/src).
function repoRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const REPO_ROOT = repoRoot(import.meta.dirname);
export const SERVER_ENTRY = join(REPO_ROOT, 'dist/apps/server/main.js');

const MAX_LOG_CHARS = 200_000;

/** Environment that makes a test server quiet and open for sign-ups, with its own config file and data folder in `dir`. */
export function serverEnv(host: string, port: number, database: string, dir: string): Record<string, string> {
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
    // Every test client logs in from 127.0.0.1: the login rate limits would count them as one
    // client. Suites that test the limits set them again.
    MM_SERVICESETTINGS_LOGINRATELIMITPERSEC: '0',
    MM_SERVICESETTINGS_LOGINRATELIMITPERACCOUNTPERSEC: '0',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPERSEC: '0',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPEREMAILPERSEC: '0',
    MM_SERVICESETTINGS_PASSWORDRESETRATELIMITPERTOKENPERSEC: '0',
  };
}

export interface ServerProcessOptions {
  /** How messages name it ("server", "node n1", "node 2 (127.0.0.3)"). */
  name: string;
  /** Where it listens (its ServiceSettings.ListenAddress); 127.0.0.1 by default. */
  host?: string;
  port: number;
  /**
   * It serves https/wss (ConnectionSecurity "TLS", set in env) with a certificate of this test CA:
   * its URLs, ping, clients and sockets use TLS and trust that CA only.
   */
  caFile?: string;
  /** Settings on top of this process's environment. */
  env: Record<string, string>;
  /** Node flags before the entry point (e.g. --cpu-prof). */
  execArgv?: string[];
  /** A folder for a log file per start (node-1.log, node-2.log, …); without it the output is kept in memory only. */
  logDir?: string;
  /** How long a start may take until the first ping is answered; 60 s by default. */
  startTimeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL; 5 s by default. */
  stopTimeoutMs?: number;
  /** The server's main.js: this checkout's build (SERVER_ENTRY) by default; another build's for upgrade tests. */
  entry?: string;
}

/** running (also when frozen: see `state`), stopped = SIGSTOPped, dead = not running. */
export type ProcessState = 'running' | 'stopped' | 'dead';

export class ServerProcess {
  state: ProcessState = 'dead';
  /** When it last answered its first ping after a start. */
  readyAt = 0;
  /** How the last start ended (null while it runs or before any start): exit code, or the signal that ended it. */
  lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private child?: ChildProcess;
  private output = '';
  private logFile?: WriteStream;
  private starts = 0;

  constructor(protected readonly options: ServerProcessOptions) {}

  get name(): string {
    return this.options.name;
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  get port(): number {
    return this.options.port;
  }

  get url(): string {
    return `${this.options.caFile ? 'https' : 'http'}://${this.host}:${this.port}`;
  }

  get wsUrl(): string {
    return `${this.options.caFile ? 'wss' : 'ws'}://${this.host}:${this.port}/api/v4/websocket`;
  }

  /** The test CA its certificate comes from, when it serves https. */
  get caFile(): string | undefined {
    return this.options.caFile;
  }

  /** The process id of the current (or last) start: the benchmarks read its memory and CPU from /proc. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawned and not exited (a frozen process still runs). */
  get running(): boolean {
    return isRunning(this.child);
  }

  /** stdout and stderr of every start (the last MAX_LOG_CHARS). */
  get logs(): string {
    return this.output;
  }

  /** A new unauthenticated client for this server. */
  client(): Client4Type {
    return clientFor(this.url, this.options.caFile);
  }

  /** The main.js the next start runs. */
  get entry(): string {
    return this.options.entry ?? SERVER_ENTRY;
  }

  /** Runs another build from the next start on (a rolling upgrade or downgrade). */
  useBuild(entry: string | undefined): void {
    this.options.entry = entry;
  }

  /** Spawns the server and waits for its first answer to /api/v4/system/ping; stops it and throws with its output if none comes. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.name} is already running`);
    const entry = this.entry;
    if (!existsSync(entry)) throw new Error(`${entry} not found: run npm run build first`);
    const { env, execArgv = [], logDir, startTimeoutMs = 60_000 } = this.options;
    this.starts++;
    this.logFile?.end();
    this.logFile = logDir ? createWriteStream(join(logDir, `node-${this.starts}.log`)) : undefined;
    const child = track(spawn(process.execPath, [...execArgv, entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
    this.child = child;
    this.state = 'running';
    const append = (d: Buffer) => {
      this.output = (this.output + d).slice(-MAX_LOG_CHARS);
      this.logFile?.write(d);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    this.lastExit = null;
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.state = 'dead';
      this.lastExit = { code, signal };
    });
    const deadline = Date.now() + startTimeoutMs;
    const ping = this.options.caFile ? fetchTrusting(this.options.caFile) : fetch;
    while (Date.now() < deadline && isRunning(child)) {
      try {
        const res = await ping(`${this.url}/api/v4/system/ping`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          this.readyAt = Date.now();
          return;
        }
      } catch {
        /* not listening yet */
      }
      await sleep(100);
    }
    const why = isRunning(child) ? `did not answer within ${startTimeoutMs} ms` : `exited (${child.exitCode ?? child.signalCode})`;
    await this.stopProcess();
    throw new Error(`${this.name} ${why}:\n${this.output.slice(-5000)}`);
  }

  /**
   * SIGKILL (a crash: no shutdown hook runs; waits until the process is gone), SIGSTOP (frozen:
   * sockets stay open, nothing is answered) or SIGCONT.
   */
  async kill(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT' = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || !isRunning(child)) throw new Error(`${this.name} is not running`);
    child.kill(signal);
    if (signal === 'SIGKILL') {
      if (!(await waitExit(child, this.options.stopTimeoutMs ?? 5000))) throw new Error(`${this.name} survived SIGKILL`);
      this.state = 'dead';
    } else {
      this.state = signal === 'SIGSTOP' ? 'stopped' : 'running';
    }
  }

  /** Graceful stop (SIGTERM: the server's shutdown hooks run), SIGKILL if it takes too long. */
  stop(): Promise<void> {
    return this.stopProcess();
  }

  /** Stops it if it still runs (gracefully), then starts it again with the same settings. */
  async restart(): Promise<void> {
    await this.stopProcess();
    await this.start();
  }

  private async stopProcess(): Promise<void> {
    const child = this.child;
    const stopTimeoutMs = this.options.stopTimeoutMs ?? 5000;
    if (child && isRunning(child)) {
      if (this.state === 'stopped') child.kill('SIGCONT');
      child.kill('SIGTERM');
      if (!(await waitExit(child, stopTimeoutMs))) {
        child.kill('SIGKILL');
        await waitExit(child, stopTimeoutMs);
      }
    }
    this.state = 'dead';
    await new Promise<void>((ok) => (this.logFile ? this.logFile.end(ok) : ok()));
    this.logFile = undefined;
  }
}
