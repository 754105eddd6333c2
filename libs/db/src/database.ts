import pg from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { InitialSchema1732600000000 } from './migrations/1732600000000-initial-schema.js';

// bigint columns hold epoch milliseconds and counters, all far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export const MIGRATIONS = [InitialSchema1732600000000];

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
 * The database handle every repository uses: a TypeORM DataSource over pg, used for its pool,
 * transactions and migrations. Repositories write plain SQL through `query`.
 */
export class Database implements Queryable {
  private constructor(readonly dataSource: DataSource) {}

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
    return this.dataSource.query(sql, params);
  }

  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.dataSource.transaction((manager: EntityManager) =>
      work({ query: (sql, params = []) => manager.query(sql, params) }),
    );
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
