/**
 * The built push proxy (`node dist/apps/push-proxy/src/main.js`) as a child process, configured
 * to push to the APNs and FCM stand-ins: a config file in a temp folder with one Apple setting per
 * topic of the APNs stand-in and one Android setting per Type, pointed at the stand-ins
 * (AppleServerURL, FCMServerURL, the service account's token_uri), trusting the APNs stand-in's
 * CA through NODE_EXTRA_CA_CERTS. Ready once GET /version answers.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../ports.js';
import { isRunning, track, waitExit } from '../processes.js';
import { REPO_ROOT } from '../server-process.js';
import { sleep } from '../wait.js';
import type { ApnsServer } from './apns-server.js';
import type { FcmServer } from './fcm-server.js';

export const PUSH_PROXY_ENTRY = join(REPO_ROOT, 'dist/apps/push-proxy/src/main.js');

export interface PushProxyOptions {
  apns?: ApnsServer;
  fcm?: FcmServer;
  /** Apple settings' Types, each pushing to one of `apns.topics` in order; apple and apple_rn by default. */
  appleTypes?: string[];
  /** Android settings' Types; android and android_rn by default. */
  androidTypes?: string[];
  /** Top-level settings over the generated ones (EnableMetrics is on, ThrottlePerSec 0 by default). */
  config?: Record<string, unknown>;
  /** Extra environment for the process. */
  env?: Record<string, string>;
}

/** What send_push and ack answer, with the HTTP status. */
export interface PushProxyAnswer {
  httpStatus: number;
  status?: 'OK' | 'FAIL' | 'REMOVE';
  error?: string;
}

export class PushProxyProcess {
  private output = '';

  constructor(
    readonly child: ChildProcess,
    readonly port: number,
    /** Its temp folder with the config file. */
    readonly dir: string,
  ) {
    const append = (d: Buffer) => (this.output = (this.output + d).slice(-200_000));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
  }

  /** EmailSettings.PushNotificationServer for a chat server. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Its process id (the benchmarks read its CPU from /proc). */
  get pid(): number {
    return this.child.pid!;
  }

  get configFile(): string {
    return join(this.dir, 'push-proxy.json');
  }

  /** Its stdout and stderr (JSON log lines). */
  get logs(): string {
    return this.output;
  }

  get running(): boolean {
    return isRunning(this.child);
  }

  /** POST /api/v1/send_push with `body` (an object is sent as JSON, a string as is). */
  sendPush(body: unknown): Promise<PushProxyAnswer> {
    return this.post('/api/v1/send_push', body);
  }

  /** POST /api/v1/ack. */
  ack(body: unknown): Promise<PushProxyAnswer> {
    return this.post('/api/v1/ack', body);
  }

  /** GET /metrics as text. */
  async metrics(): Promise<string> {
    const res = await fetch(`${this.url}/metrics`);
    if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
    return res.text();
  }

  async post(path: string, body: unknown): Promise<PushProxyAnswer> {
    const res = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    try {
      return { httpStatus: res.status, ...(JSON.parse(text) as object) };
    } catch {
      return { httpStatus: res.status, error: text };
    }
  }

  /** Sends `signal` (SIGTERM: a graceful stop) without waiting. */
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** The exit code once it has exited (null when killed by a signal); throws if it still runs after `ms`. */
  async exited(ms = 10_000): Promise<number | null> {
    if (!(await waitExit(this.child, ms))) throw new Error(`the push proxy still runs ${ms} ms later:\n${this.output.slice(-3000)}`);
    return this.child.exitCode;
  }

  /** SIGTERM, SIGKILL if it takes over `ms`; removes its folder. */
  async stop(ms = 10_000): Promise<void> {
    if (this.running) {
      this.child.kill('SIGTERM');
      if (!(await waitExit(this.child, ms))) {
        this.child.kill('SIGKILL');
        await waitExit(this.child, 5000);
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The config startPushProxy writes (exported for suites that want to start the proxy otherwise). */
export function pushProxyConfig(port: number, opts: PushProxyOptions): Record<string, unknown> {
  const { apns, fcm } = opts;
  const appleTypes = opts.appleTypes ?? ['apple', 'apple_rn'];
  const androidTypes = opts.androidTypes ?? ['android', 'android_rn'];
  return {
    ListenAddress: `127.0.0.1:${port}`,
    ThrottlePerSec: 0,
    ThrottleMemoryStoreSize: 50000,
    ThrottleVaryByHeader: 'X-Forwarded-For',
    EnableMetrics: true,
    SendTimeoutSec: 30,
    RetryTimeoutSec: 8,
    ApplePushSettings: apns
      ? appleTypes.map((Type, i) => ({
          Type,
          ApplePushUseDevelopment: false,
          ApplePushTopic: apns.topics[i % apns.topics.length],
          AppleAuthKeyFile: apns.authKey.keyFile,
          AppleAuthKeyID: apns.authKey.keyId,
          AppleTeamID: apns.authKey.teamId,
          AppleServerURL: apns.url,
        }))
      : [],
    AndroidPushSettings: fcm ? androidTypes.map((Type) => ({ Type, ServiceFileLocation: fcm.account.file, FCMServerURL: fcm.url })) : [],
    ...opts.config,
  };
}

/** Starts the built proxy against the stand-ins; stop() it after the suite (before stopping them). */
export async function startPushProxy(opts: PushProxyOptions = {}): Promise<PushProxyProcess> {
  if (!existsSync(PUSH_PROXY_ENTRY)) throw new Error(`${PUSH_PROXY_ENTRY} not found: run npm run build:server first`);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mm-push-proxy-'));
  writeFileSync(join(dir, 'push-proxy.json'), JSON.stringify(pushProxyConfig(port, opts), null, 2));
  const env: Record<string, string> = { ...(process.env as Record<string, string>), ...opts.env };
  if (opts.apns) env.NODE_EXTRA_CA_CERTS = opts.apns.caFile;
  const child = track(spawn(process.execPath, [PUSH_PROXY_ENTRY, '--config', join(dir, 'push-proxy.json')], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const proxy = new PushProxyProcess(child, port, dir);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && proxy.running) {
    try {
      if ((await fetch(`${proxy.url}/version`, { signal: AbortSignal.timeout(2000) })).ok) return proxy;
    } catch {
      /* not listening yet */
    }
    await sleep(50);
  }
  const why = proxy.running ? 'did not answer GET /version within 15 s' : `exited (${child.exitCode ?? child.signalCode})`;
  await proxy.stop();
  throw new Error(`the push proxy ${why}:\n${proxy.logs.slice(-5000)}`);
}
