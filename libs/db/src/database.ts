import { Logger } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { InitialSchema1732600000000 } from './migrations/1732600000000-initial-schema.js';
import { Cluster1732700000000 } from './migrations/1732700000000-cluster.js';
import { EventOutbox1732800000000 } from './migrations/1732800000000-event-outbox.js';
import { Jobs1732760000000 } from './migrations/1732760000000-jobs.js';
import { PostsChannelPageIndex1732900000000 } from './migrations/1732900000000-posts-channel-page-index.js';
import { HashedTokens1733000000000 } from './migrations/1733000000000-hashed-tokens.js';
import { LoginAttempts1733020000000 } from './migrations/1733020000000-login-attempts.js';
import { PostPriority1734400000000 } from './migrations/1734400000000-post-priority.js';
import { LinkMetadata1734700000000 } from './migrations/1734700000000-link-metadata.js';
import { SidebarCategories1734200000000 } from './migrations/1734200000000-sidebar-categories.js';
import { DraftsScheduledPosts1734600000000 } from './migrations/1734600000000-drafts-scheduled-posts.js';
import { ThreadMemberships1734300000000 } from './migrations/1734300000000-thread-memberships.js';
import { Roles1734100000000 } from './migrations/1734100000000-roles.js';
import { Commands1734800000000 } from './migrations/1734800000000-commands.js';
import { SignIn1734900000000 } from './migrations/1734900000000-sign-in.js';
import { Emoji1735040000000 } from './migrations/1735040000000-emoji.js';
import { FileInfos1735010000000 } from './migrations/1735010000000-file-infos.js';
import { UploadSessions1735060000000 } from './migrations/1735060000000-upload-sessions.js';
import { FileSearch1735062000000 } from './migrations/1735062000000-file-search.js';
import { FileInfosCreateAt1735083000000 } from './migrations/1735083000000-file-infos-create-at.js';
import { Audits1735090000000 } from './migrations/1735090000000-audits.js';
import { CommandWebhooks1735200000000 } from './migrations/1735200000000-command-webhooks.js';
import { BotsOAuthProvider1735300000000 } from './migrations/1735300000000-bots-oauth-provider.js';
import { Webhooks1735100000000 } from './migrations/1735100000000-webhooks.js';
import { Email1735400000000 } from './migrations/1735400000000-email.js';
import { inlineParams } from './inline-params.js';
import { localSocketDataSource } from './local-socket.js';
import { currentReadContext, isReadOnlyStatement, type ReadContext } from './read-context.js';
import { ReplicaKind, ReplicaOptions, ReplicaSet } from './replicas.js';
import { DEFAULT_PREPARED_STATEMENTS, isStalePreparedStatement, StatementNames, takeStatementCacheCapacity } from './statement-names.js';

// bigint columns hold epoch milliseconds and counters, all far below 2^53: read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export const MIGRATIONS = [
  InitialSchema1732600000000,
  Cluster1732700000000,
  Jobs1732760000000,
  EventOutbox1732800000000,
  PostsChannelPageIndex1732900000000,
  HashedTokens1733000000000,
  LoginAttempts1733020000000,
  PostPriority1734400000000,
  LinkMetadata1734700000000,
  SidebarCategories1734200000000,
  DraftsScheduledPosts1734600000000,
  ThreadMemberships1734300000000,
  Roles1734100000000,
  Commands1734800000000,
  SignIn1734900000000,
  Emoji1735040000000,
  FileInfos1735010000000,
  UploadSessions1735060000000,
  FileSearch1735062000000,
  FileInfosCreateAt1735083000000,
  Audits1735090000000,
  CommandWebhooks1735200000000,
  BotsOAuthProvider1735300000000,
  Webhooks1735100000000,
  Email1735400000000,
];

/** Any value that can run SQL: the pool or a transaction. */
export interface Queryable {
  query<T = any>(sql: string, params?: unknown[]): Promise<T[]>;
  /** In a transaction: runs `fn` once it has committed (never if it rolls back). */
  afterCommit?(fn: () => void): void;
  /**
   * In a transaction: a statement that ends it, sent with its COMMIT in one round trip once the
   * work is done, so that a row lock it takes is held for the statement and the commit only, not
   * for a trip back to this process and its turn on a busy event loop. Several go in the order
   * they were given. Their rows are not read; their parameters must have inline literals
   * (inline-params.ts); nothing may be queried after the first of them.
   */
  commitWith?(sql: string, params: unknown[]): void;
}

/**
 * Runs `sql` now or, in a transaction that can, as its last statement with its COMMIT (see
 * Queryable.commitWith): for a statement whose rows the caller does not read.
 */
export async function lastInTransaction(
  tx: Pick<Queryable, 'commitWith'> & { query(sql: string, params: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[],
): Promise<void> {
  if (tx.commitWith) tx.commitWith(sql, params);
  else await tx.query(sql, params);
}

/**
 * Runs `fn` once what was written through `tx` is visible to others: after the commit of a
 * transaction, at once otherwise. Cache invalidations go here, so that no reader can load the row
 * as it was before the commit and keep it after the invalidation.
 */
export function whenCommitted(tx: Queryable, fn: () => void): void {
  if (tx.afterCommit) tx.afterCommit(fn);
  else fn();
}

export interface DatabaseOptions {
  url: string;
  /** Most connections open at once (SqlSettings.MaxOpenConns). */
  maxConnections: number;
  /** Longest a statement may run (SqlSettings.QueryTimeout), as PostgreSQL's statement_timeout. */
  queryTimeoutSeconds: number;
  /** A connection is closed once it is this old (SqlSettings.ConnMaxLifetimeMilliseconds; 0: never; unset: never). */
  maxLifetimeMs?: number;
  /** An idle connection is closed after this long (SqlSettings.ConnMaxIdleTimeMilliseconds; 0: never; unset: 10 s). */
  maxIdleTimeMs?: number;
  /** statement_timeout while migrating (SqlSettings.MigrationsStatementTimeoutSeconds); default queryTimeoutSeconds. */
  migrationTimeoutSeconds?: number;
  /** Read replicas (SqlSettings.DataSourceReplicas, …); each gets a pool of maxConnections. */
  replicas?: ReplicaOptions;
  /** Reach a PostgreSQL on this machine through its Unix socket (local-socket.ts); default true. */
  localSocket?: boolean;
  /**
   * How many statements to prepare (statement-names.ts); default 500, 0 for none. The DataSource's
   * `statement_cache_capacity` parameter, when it has one, wins.
   */
  preparedStatements?: number;
}

/** Key of the advisory lock that serialises migrations when several nodes start at once. */
const MIGRATION_LOCK_KEY = 7_340_861;

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * The pool's settings from Mattermost's SqlSettings. SqlSettings.MaxIdleConns has no pg.Pool
 * counterpart (the pool keeps every idle connection until maxIdleTimeMs closes it), so only the
 * idle time bounds what an idle node holds. pg.Pool counts lifetimes in whole seconds.
 */
function poolConfig(options: DatabaseOptions): pg.PoolConfig {
  const config: pg.PoolConfig = {
    connectionString: options.url,
    max: options.maxConnections,
    statement_timeout: options.queryTimeoutSeconds * 1000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  };
  // As database/sql's SetConnMaxIdleTime and SetConnMaxLifetime: zero or less means no limit.
  if (options.maxIdleTimeMs !== undefined) config.idleTimeoutMillis = Math.max(0, options.maxIdleTimeMs);
  if (options.maxLifetimeMs !== undefined && options.maxLifetimeMs > 0) config.maxLifetimeSeconds = Math.max(1, Math.round(options.maxLifetimeMs / 1000));
  if ((options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS) > 0) customPlansOnly(config);
  return config;
}

/**
 * Every run of a prepared statement planned for the tables as they are now (statement-names.ts),
 * as a startup option of each connection. pg lets the DataSource's own `options` win over the
 * config's, so the setting joins them there when it has some.
 */
function customPlansOnly(config: pg.PoolConfig): void {
  const setting = '-c plan_cache_mode=force_custom_plan';
  let url: URL | undefined;
  try {
    url = new URL(config.connectionString!);
  } catch {
    url = undefined;
  }
  const own = url?.searchParams.get('options');
  if (url && own) {
    url.searchParams.set('options', `${own} ${setting}`);
    config.connectionString = url.toString();
  } else {
    config.options = setting;
  }
}

/** Runs one round trip (`statements` statements: a last statement and its COMMIT are two), adding it to the request's counts when they are kept. */
async function counted<T>(ctx: ReadContext | undefined, statement: () => Promise<T>, statements = 1): Promise<T> {
  const stats = ctx?.db;
  if (!stats) return statement();
  const started = performance.now();
  try {
    return await statement();
  } finally {
    stats.queries += statements;
    stats.ms += performance.now() - started;
  }
}

/**
 * `BEGIN;` and the first statement of a transaction as one simple-protocol query, when every value
 * has a literal (inline-params.ts; an array, say, has none): one round trip instead of two. The
 * values go as quoted literals, which PostgreSQL types from their context as it types a
 * statement's parameters, so the statement means what it would mean with them.
 */
function firstWithBegin(sql: string, params: readonly unknown[]): string | undefined {
  try {
    return `BEGIN;\n${inlineParams(sql, params)}`;
  } catch {
    return undefined;
  }
}

/** A statement of a one-trip transaction, with what hands its rows to whoever asked for them. */
interface Statement {
  sql: string;
  params: unknown[];
  settle?: (rows: unknown[]) => void;
}

/** The statements with their values inline, or undefined when one value has no literal (inline-params.ts). */
function inlineAll(statements: Statement[]): string[] | undefined {
  try {
    return statements.map((s) => inlineParams(s.sql, s.params));
  } catch {
    return undefined;
  }
}

/**
 * The database handle every repository uses: a pg pool of its own, so that every statement
 * (DELETE … RETURNING included) returns plain rows with no ORM in between. TypeORM only runs the
 * migrations, on a small data source opened for that and closed after.
 */
export class Database implements Queryable {
  private readonly logger = new Logger('database');

  /** The read replicas, when SqlSettings names any. */
  readonly replicaSet?: ReplicaSet;
  /** The socket folder the pool reaches the master through, when it is on this machine (local-socket.ts). */
  socketDirectory?: string;
  private readonly replicaReader: Queryable;
  private readonly searchReader: Queryable;
  /** The statements this node prepares, on every pool. */
  readonly statements: StatementNames;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: DatabaseOptions,
  ) {
    // A connection that breaks while idle is reported here; without a listener it would crash the process.
    pool.on('error', (err) => this.logger.warn(`idle database connection failed: ${err.message}`));
    this.statements = new StatementNames(options.preparedStatements ?? DEFAULT_PREPARED_STATEMENTS);
    const r = options.replicas;
    if (r && r.replicas.length + r.searchReplicas.length > 0) this.replicaSet = new ReplicaSet(pool, r, poolConfig(options));
    this.replicaReader = { query: (sql, params = []) => this.read('replica', sql, params) };
    this.searchReader = { query: (sql, params = []) => this.read('search', sql, params) };
  }

  /**
   * Opens the pool and checks the database answers, so a wrong DataSource fails at start-up. A
   * replica that does not answer does not stop the start: the monitor keeps it out until it does.
   */
  static async connect(given: DatabaseOptions): Promise<Database> {
    const { url, capacity } = takeStatementCacheCapacity(given.url);
    const options = { ...given, url, preparedStatements: capacity ?? given.preparedStatements };
    const socket = options.localSocket === false ? undefined : await localSocketDataSource(options.url);
    const db = new Database(new pg.Pool(poolConfig({ ...options, url: socket ?? options.url })), options);
    if (socket) db.socketDirectory = new URL(socket).searchParams.get('host') ?? undefined;
    try {
      await db.pool.query('SELECT 1');
    } catch (err) {
      await db.close();
      throw err;
    }
    return db;
  }

  /** On the master. Any statement but a read marks the current request as having written (read-context.ts). */
  async query<T = any>(sql: string, params: unknown[] = []): Promise<T[]> {
    const ctx = currentReadContext();
    if (!ctx) return this.run(this.pool, sql, params);
    const writes = this.replicaSet !== undefined && !isReadOnlyStatement(sql);
    if (writes) ctx.wrote = true;
    const rows = await counted(ctx, () => this.run<T>(this.pool, sql, params));
    // Work a request left running after its answer (listeners of a new post, …) moves the user's
    // fence on, so their next reads see it too.
    if (writes && ctx.answered && ctx.userId) void this.replicaSet!.recordWrite(ctx.userId).catch(() => undefined);
    return rows;
  }

  /**
   * Reads that may be a little stale (Mattermost's GetReplica()): a healthy replica that has
   * replayed the user's own writes, else the master. Without replicas, the master.
   */
  replica(): Queryable {
    return this.replicaReader;
  }

  /** Search reads (Mattermost's GetSearchReplica()): a search replica, else a replica, else the master. */
  search(): Queryable {
    return this.searchReader;
  }

  private read<T>(kind: ReplicaKind, sql: string, params: unknown[]): Promise<T[]> {
    const replica = this.replicaSet?.pick(kind);
    const onMaster = () => this.run<T>(this.pool, sql, params);
    return counted(currentReadContext(), () => (replica ? this.replicaSet!.query(replica, (pool) => this.run<T>(pool, sql, params), onMaster) : onMaster()));
  }

  /**
   * One statement on a pool's connection, named when it has a name (statement-names.ts). A named
   * statement whose result columns changed under it (another node migrated) runs again unnamed,
   * and from then on.
   */
  private async run<T>(pool: pg.Pool | pg.PoolClient, sql: string, params: unknown[]): Promise<T[]> {
    const statement = this.statements.config(sql, params);
    try {
      return (await pool.query(statement)).rows as T[];
    } catch (err) {
      if (statement.name === undefined || !isStalePreparedStatement(err)) throw err;
      this.statements.forget(sql);
      if ('release' in pool) throw err; // a transaction's connection: the failure aborted it
      return (await pool.query(sql, params)).rows as T[];
    }
  }

  /**
   * Fresh statistics (ANALYZE) for tables a bulk write just grew, so that the plans made from now
   * on know their new size rather than wait for autovacuum to come round.
   */
  async analyze(tables: readonly string[]): Promise<void> {
    if (tables.length) await this.pool.query(`ANALYZE ${tables.map((t) => pg.escapeIdentifier(t)).join(', ')}`);
  }

  /** Starts watching the replicas (after the node can pass fences to its peers: see ReplicaSet). */
  async startReplicaMonitor(): Promise<void> {
    await this.replicaSet?.start();
  }

  /** Open connections per pool kind (mattermost_db_*_connections_total). */
  openConnections(): { master: number; replicas: number; searchReplicas: number } {
    return {
      master: this.pool.totalCount,
      replicas: this.replicaSet?.openConnections('replica') ?? 0,
      searchReplicas: this.replicaSet?.openConnections('search') ?? 0,
    };
  }

  /**
   * Runs `work` in one transaction on one connection; any throw rolls it back. Always the master,
   * and counts as a write. The BEGIN travels with the work's first statement, and the last
   * statements (commitWith) with the COMMIT, so a transaction of one statement and last ones costs
   * two round trips, not four or more: each round trip waits for this process's turn on a busy
   * event loop (firstWithBegin).
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.onWriteConnection(async (client, ctx) => {
      const last: string[] = [];
      let begun: Promise<unknown> | undefined;
      const run = async (sql: string, params: unknown[] = []) => {
        if (last.length > 0) throw new Error("a statement after the transaction's last one (commitWith)");
        if (begun === undefined) {
          const first = firstWithBegin(sql, params);
          if (first !== undefined) {
            const sent = counted(ctx, () => client.query(first) as unknown as Promise<pg.QueryResult[]>, 2);
            begun = sent;
            return (await sent)[1].rows;
          }
          begun = counted(ctx, () => client.query('BEGIN'));
        }
        // Statements started together (Promise.all) still go in the order they were asked for.
        await begun;
        return counted(ctx, () => this.run(client, sql, params));
      };
      const committed: Array<() => void> = [];
      try {
        const result = await work({
          query: run,
          afterCommit: (fn) => committed.push(fn),
          commitWith: (sql, params) => {
            last.push(inlineParams(sql, params));
          },
        });
        // Simple protocol, several statements: if one fails, PostgreSQL skips the rest (the COMMIT
        // too) and the transaction is rolled back below. A transaction whose work ran nothing sends nothing.
        if (begun !== undefined || last.length > 0) {
          // Nothing sent yet: the BEGIN goes with the last statements, and a failure of them is rolled back below.
          const end = [...(begun === undefined ? ['BEGIN'] : []), ...last, 'COMMIT'];
          begun ??= Promise.resolve();
          await counted(ctx, () => client.query(end.join(';\n')), end.length);
        }
        for (const fn of committed) fn();
        return result;
      } catch (err) {
        if (begun !== undefined) await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * A transaction in one round trip, for work whose statements do not need each other's rows (a
   * new post: PostsService.createNow). `build` asks for the statements and runs at once; `BEGIN`,
   * its statements in the order asked (commitWith's last) and `COMMIT` then go to PostgreSQL as
   * one simple-protocol query, their values inline (inline-params.ts). The transaction costs one
   * wait for this process's turn on a busy event loop instead of one per statement, and a row lock
   * it takes is held while PostgreSQL runs it, never while this process is busy elsewhere.
   *
   * Each statement's promise settles with its rows once the transaction has committed, so `build`
   * must not wait for one (it may return them: this answers what it returned). If the transaction
   * fails, it is rolled back, this rejects and the statements' promises never settle: no rows were
   * written for them to report, and none is left rejected with no one to catch it. Statements with
   * a value that has no inline literal go one by one, as `transaction` sends them, to the same end.
   * What waits for the commit (afterCommit) may be added until the transaction has committed.
   */
  async transactionInOneTrip<T>(build: (tx: Queryable) => T): Promise<T> {
    const asked: Statement[] = [];
    const last: Statement[] = [];
    const committed: Array<() => void> = [];
    let sent = false;
    const ask = (list: Statement[], statement: Statement) => {
      if (sent) throw new Error('a statement asked for after the one-trip transaction was built');
      list.push(statement);
    };
    const result = build({
      query: <R>(sql: string, params: unknown[] = []) => {
        let settle!: (rows: unknown[]) => void;
        const rows = new Promise<R[]>((resolve) => (settle = resolve as (rows: unknown[]) => void));
        ask(asked, { sql, params, settle });
        return rows;
      },
      commitWith: (sql, params) => ask(last, { sql, params }),
      afterCommit: (fn) => committed.push(fn),
    });
    sent = true;
    const statements = [...asked, ...last];
    const rows = statements.length > 0 ? await this.runInOneTrip(statements) : [];
    for (const fn of committed) fn();
    statements.forEach((s, i) => s.settle?.(rows[i]));
    return result;
  }

  /** The statements in one transaction, in one round trip when every value has a literal; each one's rows. */
  private async runInOneTrip(statements: Statement[]): Promise<unknown[][]> {
    const texts = inlineAll(statements);
    if (!texts) {
      return this.transaction(async (tx) => {
        const rows: unknown[][] = [];
        for (const s of statements) rows.push(await tx.query(s.sql, s.params));
        return rows;
      });
    }
    return this.onWriteConnection(async (client, ctx) => {
      try {
        const results = (await counted(ctx, () => client.query(['BEGIN', ...texts, 'COMMIT'].join(';\n')), texts.length + 2)) as unknown as pg.QueryResult[];
        return statements.map((_, i) => results[i + 1].rows);
      } catch (err) {
        // A statement failed (the rest were skipped, the transaction is aborted), or the COMMIT did.
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  /**
   * `work` on a master connection of its own, as a write: the request is marked as having written
   * and, once the work succeeds after the request has answered, the user's fence moves on, so
   * their next reads see it (read-context.ts).
   */
  private async onWriteConnection<T>(work: (client: pg.PoolClient, ctx: ReadContext | undefined) => Promise<T>): Promise<T> {
    const ctx = currentReadContext();
    if (ctx && this.replicaSet) ctx.wrote = true;
    const client = await this.pool.connect();
    try {
      const result = await work(client, ctx);
      if (ctx?.answered && ctx.userId && this.replicaSet) void this.replicaSet.recordWrite(ctx.userId).catch(() => undefined);
      return result;
    } finally {
      client.release();
    }
  }

  /**
   * Runs pending migrations under a session-level advisory lock (safe with many nodes), on a data
   * source of two connections: the lock's and the migrations'. The migration statement timeout
   * also bounds the wait for another node's migrations.
   */
  async migrate(): Promise<string[]> {
    const dataSource = new DataSource({
      type: 'postgres',
      url: this.options.url,
      migrations: MIGRATIONS,
      migrationsTableName: 'schema_migrations',
      migrationsTransactionMode: 'all',
      extra: {
        max: 2,
        statement_timeout: (this.options.migrationTimeoutSeconds ?? this.options.queryTimeoutSeconds) * 1000,
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      },
    });
    await dataSource.initialize();
    const lock = dataSource.createQueryRunner();
    try {
      await lock.connect();
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      const applied = await dataSource.runMigrations({ transaction: 'all' });
      return applied.map((m) => m.name);
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await lock.release();
      await dataSource.destroy();
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.replicaSet?.close();
    if (!this.pool.ended) await this.pool.end();
  }
}
