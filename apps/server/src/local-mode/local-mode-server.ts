import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Config, ConfigService } from '#config';
import { markLocalConnection } from './local-session.js';

const log = new Logger('local-mode');

/**
 * The node's side of `mmctl --local` (Mattermost's Server.startLocalModeServer): with
 * `ServiceSettings.EnableLocalMode` the node also serves the API on the Unix socket
 * `LocalModeSocketLocation`, created with file mode 0600 so only the server's OS user (or root)
 * can connect. A stale socket left by a crash is replaced; the socket is removed on stop and
 * started, stopped or moved when a config save changes either setting.
 *
 * Differences from Mattermost, on purpose: a path holding anything but a socket, or a socket
 * another process still answers on, is left alone and local mode stays off (Mattermost removes
 * whatever is at the path); the socket is created under a 0177 umask, so it is never briefly
 * reachable by others before the chmod.
 */
export class LocalModeServer {
  private server: Server | null = null;
  private path = '';
  private changing: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly config: ConfigService,
    private readonly handler: RequestListener,
  ) {
    this.unsubscribe = config.onChange((_old, next) => this.apply(next));
  }

  /** Starts the socket if the config asks for it (a failure is logged: the node runs without local mode). */
  start(): Promise<void> {
    this.apply(this.config.get());
    return this.changing;
  }

  async stop(): Promise<void> {
    this.unsubscribe();
    this.changing = this.changing.then(() => this.close());
    await this.changing;
  }

  /** Synchronous, for process exit. */
  removeSocketFile(): void {
    if (!this.path) return;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  private apply(cfg: Config): void {
    const want = cfg.ServiceSettings.EnableLocalMode ? cfg.ServiceSettings.LocalModeSocketLocation : '';
    this.changing = this.changing.then(async () => {
      if (want === this.path && (this.server !== null) === (want !== '')) return;
      await this.close();
      if (want) await this.open(want).catch((err: Error) => log.error(`local mode is off: ${err.message}`));
    });
  }

  private async open(path: string): Promise<void> {
    await removeStaleSocket(path);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      // Only the API is served here (Mattermost's local router has nothing else).
      if (!req.url?.startsWith('/api/v4/')) {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'api.context.404.app_error',
            message: 'Sorry, we could not find the page.',
            detailed_error: '',
            request_id: '',
            status_code: 404,
          }),
        );
        return;
      }
      this.handler(req, res);
    });
    server.on('connection', markLocalConnection);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // The bind happens inside listen(): under this umask the socket file is born 0600.
      const umask = process.umask(0o177);
      try {
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      } finally {
        process.umask(umask);
      }
    });
    chmodSync(path, 0o600);
    server.on('error', (err) => log.error(`local mode socket: ${err.message}`));
    this.server = server;
    this.path = path;
    log.log(`local mode: listening on ${path}`);
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const path = this.path;
    this.server = null;
    this.path = '';
    // Closing a Unix socket server removes its file; open connections are cut, as Mattermost's Close does.
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
    log.log(`local mode: stopped listening on ${path}`);
  }
}

/** Removes a socket file nobody answers on (left by a crash); refuses anything else at the path. */
async function removeStaleSocket(path: string): Promise<void> {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return; // nothing there
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket; remove it or set ServiceSettings.LocalModeSocketLocation`);
  const alive = await new Promise<boolean>((resolve) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another process is listening on ${path}`);
  unlinkSync(path);
}

/**
 * Starts local mode for a node (main.ts, after the TCP listener): the same Express app on the
 * socket. It stops with the app's HTTP server, and the socket file is removed even if the process
 * exits without a clean shutdown.
 */
export async function startLocalMode(
  config: ConfigService,
  app: { getHttpAdapter(): { getInstance(): RequestListener }; getHttpServer(): Server },
): Promise<LocalModeServer> {
  const server = new LocalModeServer(config, app.getHttpAdapter().getInstance());
  app.getHttpServer().once('close', () => void server.stop());
  process.once('exit', () => server.removeSocketFile());
  await server.start();
  return server;
}
