import pg from 'pg';
import { DataSource } from 'typeorm';
import { InitialSchema1732600000000 } from './migrations/1732600000000-initial-schema.js';
import { Cluster1732700000000 } from './migrations/1732700000000-cluster.js';
import { EventOutbox1732800000000 } from './migrations/1732800000000-event-outbox.js';
import { Jobs1732760000000 } from './migrations/1732760000000-jobs.js';
import { PostsChannelPageIndex1732900000000 } from './migrations/1732900000000-posts-channel-page-index.js';

// bigint columns hold epoch milliseconds and counters, all far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export const MIGRATIONS = [InitialSchema1732600000000, Cluster1732700000000, Jobs1732760000000, EventOutbox1732800000000, PostsChannelPageIndex1732900000000];

/** Any value that can run SQL: the pool or a transaction. */
export interface Queryable {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface DatabaseOptions {
  url: string;
  maxConnections: number;
  queryTimeoutSeconds: number;
}

/** Key of the advisory lock that serialises migrations when several nodes start at once. */
const MIGRATION_LOCK_KEY = 7_340_861;

/**
 * The database handle every repository uses. TypeORM owns the connection pool and runs the
 * migrations; queries go straight to its pg pool, so that every statement (DELETE … RETURNING
 * included) returns plain rows and skips the ORM's per-query overhead.
 */
export class Database implements Queryable {
  private readonly pool: pg.Pool;

  private constructor(readonly dataSource: DataSource) {
    this.pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
  }

  static async connect(options: DatabaseOptions): Promise<Database> {
    const dataSource = new DataSource({
      type: 'postgres',
      url: options.url,
      migrations: MIGRATIONS,
      migrationsTableName: 'schema_migrations',
      migrationsTransactionMode: 'all',
      extra: {
        max: options.maxConnections,
        statement_timeout: options.queryTimeoutSeconds * 1000,
        connectionTimeoutMillis: 10_000,
      },
    });
    await dataSource.initialize();
    return new Database(dataSource);
  }

  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows;
  }

  /** Runs `work` in one transaction on one connection; any throw rolls it back. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work({ query: async (sql, params = []) => (await client.query(sql, params)).rows });
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Runs pending migrations under a session-level advisory lock (safe with many nodes). */
  async migrate(): Promise<string[]> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await this.dataSource.runMigrations({ transaction: 'all' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await runner.release();
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
