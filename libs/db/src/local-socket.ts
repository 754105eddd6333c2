import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** Where PostgreSQL puts its socket: Debian's packages, then the server's own default. */
export const SOCKET_DIRECTORIES = ['/var/run/postgresql', '/tmp'];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * The DataSource rewritten to reach the same PostgreSQL over its Unix socket, when it names this
 * machine over TCP (127.0.0.1, ::1, localhost) and that server's socket is here. A statement over
 * a local socket skips the loopback TCP stack on both ends, and every request makes several, so
 * a node next to its database spends less CPU per request (bench:capacity). Nothing changes when
 * the DataSource asks for TLS (sslmode other than disable/allow/prefer) or already names a socket
 * (`?host=/dir`), or when the socket's server is not the one the TCP address reaches (the two
 * must report the same postmaster start time) or refuses the connection (pg_hba.conf's `local`
 * lines differ from its `host` ones): then the DataSource is used as written.
 */
export async function localSocketDataSource(url: string, directories = SOCKET_DIRECTORIES): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol) || !LOOPBACK.has(parsed.hostname) || parsed.searchParams.has('host')) return undefined;
  const sslmode = parsed.searchParams.get('sslmode');
  if (sslmode && !['disable', 'allow', 'prefer'].includes(sslmode)) return undefined;
  const port = parsed.port || '5432';
  const directory = directories.find((d) => existsSync(join(d, `.s.PGSQL.${port}`)));
  if (!directory) return undefined;
  const viaSocket = new URL(url);
  viaSocket.searchParams.set('host', directory);
  // The socket carries no TLS: asking for it (prefer/allow) would only try and fall back.
  viaSocket.searchParams.set('sslmode', 'disable');
  const candidate = viaSocket.toString();
  const [overTcp, overSocket] = await Promise.all([postmasterStart(url), postmasterStart(candidate)]);
  return overTcp !== undefined && overTcp === overSocket ? candidate : undefined;
}

/** When the server behind `url` started (microseconds: two servers never share it), or undefined if it cannot be asked. */
async function postmasterStart(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ started: string }>('SELECT pg_postmaster_start_time()::text AS started');
    return rows[0]?.started;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}
