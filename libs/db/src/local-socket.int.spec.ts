/**
 * The switch to a local PostgreSQL's Unix socket (local-socket.ts) against the machine's
 * PostgreSQL (TEST_PG_ADMIN_DSN, 127.0.0.1:5432 with its socket in /var/run/postgresql), and the
 * cases where the DataSource must be kept as written. Over a Unix socket inet_server_addr() is
 * null, over TCP it is the server's address: that tells which one a statement used.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_DSN } from '#testing';
import { Database } from './database.js';
import { localSocketDataSource, SOCKET_DIRECTORIES } from './local-socket.js';

const WHERE = 'SELECT inet_server_addr()::text AS addr';
const port = new URL(ADMIN_DSN).port || '5432';
const machineSocket = SOCKET_DIRECTORIES.find((d) => existsSync(join(d, `.s.PGSQL.${port}`)));

describe('PostgreSQL over its local Unix socket', () => {
  const open: Database[] = [];
  const cleanups: Array<() => void> = [];
  afterAll(async () => {
    for (const db of open) await db.close();
    for (const c of cleanups) c();
  });

  it.skipIf(!machineSocket)('reaches the same server through the socket when the DataSource names this machine', async () => {
    const url = await localSocketDataSource(ADMIN_DSN);
    expect(url).toBeDefined();
    expect(new URL(url!).searchParams.get('host')).toBe(machineSocket);
    const db = await Database.connect({ url: ADMIN_DSN, maxConnections: 2, queryTimeoutSeconds: 10 });
    open.push(db);
    expect(db.socketDirectory).toBe(machineSocket);
    expect((await db.query<{ addr: string | null }>(WHERE))[0].addr).toBeNull();
    expect(await db.transaction(async (tx) => (await tx.query<{ addr: string | null }>(WHERE))[0].addr)).toBeNull();
  });

  it('keeps TCP when told to, and when the DataSource names another host, asks for TLS or names a socket', async () => {
    const db = await Database.connect({ url: ADMIN_DSN, maxConnections: 2, queryTimeoutSeconds: 10, localSocket: false });
    open.push(db);
    expect(db.socketDirectory).toBeUndefined();
    expect((await db.query<{ addr: string | null }>(WHERE))[0].addr).not.toBeNull();
    const other = new URL(ADMIN_DSN);
    other.hostname = '192.0.2.10';
    expect(await localSocketDataSource(other.toString())).toBeUndefined();
    const tls = new URL(ADMIN_DSN);
    tls.searchParams.set('sslmode', 'require');
    expect(await localSocketDataSource(tls.toString())).toBeUndefined();
    const socket = new URL(ADMIN_DSN);
    socket.searchParams.set('host', '/somewhere');
    expect(await localSocketDataSource(socket.toString())).toBeUndefined();
    expect(await localSocketDataSource('not a url')).toBeUndefined();
  });

  it('keeps TCP when no socket is there, or when the socket there is not that server', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mm-nosocket-'));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    expect(await localSocketDataSource(ADMIN_DSN, [empty])).toBeUndefined();
    // A socket of the right name whose server hangs up at once (another program, or a server
    // that refuses local connections).
    const dir = mkdtempSync(join(tmpdir(), 'mm-fakesocket-'));
    const server: Server = createServer((conn) => conn.destroy());
    await new Promise<void>((resolve) => server.listen(join(dir, `.s.PGSQL.${port}`), resolve));
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    expect(await localSocketDataSource(ADMIN_DSN, [dir])).toBeUndefined();
  });
});
