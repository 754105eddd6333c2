/**
 * One server on a free loopback port with its own fresh database on the machine's PostgreSQL and
 * its own folder (config.json, data), driven only through Mattermost's own client library: what
 * the e2e suites, bench:core and the load test's --start-server run against.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client4 as Client4Type } from '@mattermost/client';
import { createDatabase, dropDatabase } from './database.js';
import { freePort } from './ports.js';
import { ServerProcess, serverEnv, type ServerProcessOptions } from './server-process.js';
import type { TestCertificates } from './certificates.js';
import { connectSocket, type TestSocket } from './socket.js';
import { signUp, type NewUser } from './users.js';

export interface StartServerOptions extends Pick<ServerProcessOptions, 'execArgv' | 'startTimeoutMs' | 'stopTimeoutMs' | 'entry'> {
  /** Run on this existing database (kept at stop) instead of a fresh one. */
  database?: string;
  /** Listen here instead of 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
  /** Serve https/wss (ConnectionSecurity "TLS") with these certificates; clients trust their CA only. */
  tls?: TestCertificates;
}

export class TestServer extends ServerProcess {
  constructor(
    options: ServerProcessOptions,
    readonly database: string,
    /** The server's own folder: config.json and the data directory. */
    readonly dir: string,
    private readonly ownsDatabase: boolean,
  ) {
    super(options);
  }

  /** The server's process id (a TestServer is only handed out started); the benchmarks read its memory and CPU from /proc. */
  get pid(): number {
    return super.pid!;
  }

  /** Signs up and logs in a new user (the first user of a server is its system admin). */
  newUser(opts: { username?: string; password?: string; admin?: NewUser } = {}): Promise<NewUser> {
    return signUp(this.url, { username: opts.username, password: opts.password, creator: opts.admin?.client, caFile: this.caFile });
  }

  /** A WebSocketClient authenticated as `client`'s user, after its `hello`. */
  socket(client: Client4Type, opts: { minRetryMs?: number } = {}): Promise<TestSocket> {
    return connectSocket(this.wsUrl, client.getToken(), { ...opts, caFile: this.caFile });
  }

  /** Stops the server, drops its database (unless it was given one, or `keepDatabase`) and removes its folder. */
  async stop({ keepDatabase = false } = {}): Promise<void> {
    await super.stop();
    if (this.ownsDatabase && !keepDatabase) await dropDatabase(this.database).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts a server (env: settings over serverEnv's; the start may take 30 s unless told otherwise).
 * Cleans up the database and the folder if it does not come up.
 */
export async function startServer(env: Record<string, string> = {}, opts: StartServerOptions = {}): Promise<TestServer> {
  const database = opts.database ?? (await createDatabase());
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const dir = mkdtempSync(join(tmpdir(), 'mm-e2e-'));
  const tlsEnv: Record<string, string> = opts.tls
    ? {
        MM_SERVICESETTINGS_CONNECTIONSECURITY: 'TLS',
        MM_SERVICESETTINGS_TLSCERTFILE: opts.tls.certFile,
        MM_SERVICESETTINGS_TLSKEYFILE: opts.tls.keyFile,
        MM_SERVICESETTINGS_SITEURL: `https://${host}:${port}`,
      }
    : {};
  const server = new TestServer(
    {
      name: 'server',
      host,
      port,
      caFile: opts.tls?.caFile,
      env: { ...serverEnv(host, port, database, dir), ...tlsEnv, ...env },
      execArgv: opts.execArgv,
      entry: opts.entry,
      startTimeoutMs: opts.startTimeoutMs ?? 30_000,
      stopTimeoutMs: opts.stopTimeoutMs,
    },
    database,
    dir,
    !opts.database,
  );
  try {
    await server.start();
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
