/** Database against throwaway databases on the machine's PostgreSQL: the pool's settings and the migrations. */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { asAdmin, createDatabase, databaseUrl, dropDatabase, sleep } from '#testing';
import { Database, DatabaseOptions, lastInTransaction, MIGRATIONS, Queryable, whenCommitted } from './database.js';

describe('Database', () => {
  let name: string;
  const open: Database[] = [];

  async function connect(options: Partial<DatabaseOptions> = {}): Promise<Database> {
    const db = await Database.connect({ url: databaseUrl(name), maxConnections: 4, queryTimeoutSeconds: 10, ...options });
    open.push(db);
    return db;
  }

  /** Connections to the test database, as the server sees them. */
  async function backends(): Promise<number> {
    const [row] = await asAdmin<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    return row.n;
  }

  async function settles(check: () => Promise<boolean>): Promise<boolean> {
    for (let i = 0; i < 50; i++) {
      if (await check()) return true;
      await sleep(100);
    }
    return false;
  }

  beforeAll(async () => {
    name = await createDatabase();
  });

  afterAll(async () => {
    for (const db of open) await db.close();
    if (name) await dropDatabase(name);
  });

  it('migrates once when several nodes start together, and closes what it opened to migrate', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const [appliedA, appliedB] = await Promise.all([a.migrate(), b.migrate()]);
    expect([...appliedA, ...appliedB]).toHaveLength(MIGRATIONS.length);
    expect(await a.migrate()).toEqual([]);
    const [{ n }] = await a.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(n).toBe(MIGRATIONS.length);
    await a.close();
    await b.close();
    expect(await settles(async () => (await backends()) === 0)).toBe(true);
  });

  it('runs parameterised queries and rolls a transaction back when its work throws', async () => {
    const db = await connect();
    await db.query('CREATE TABLE tx_probe (v text)');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO tx_probe VALUES ($1)', ['lost']);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await db.transaction((tx) => tx.query('INSERT INTO tx_probe VALUES ($1)', ['kept']));
    expect(await db.query('SELECT v FROM tx_probe WHERE v = ANY($1)', [['lost', 'kept']])).toEqual([{ v: 'kept' }]);
  });

  it('runs what waits for the commit once another connection can see the write, and never after a rollback', async () => {
    const db = await connect();
    await db.query('CREATE TABLE commit_probe (v text)');
    const seen: string[][] = [];
    const look = () => {
      void db.query<{ v: string }>('SELECT v FROM commit_probe ORDER BY v').then((rows) => seen.push(rows.map((r) => r.v)));
    };
    await db.transaction(async (tx) => {
      await tx.query("INSERT INTO commit_probe VALUES ('a')");
      whenCommitted(tx, look);
      expect(seen).toEqual([]);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO commit_probe VALUES ('b')");
        whenCommitted(tx, () => seen.push(['rolled back']));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    let outside = false;
    whenCommitted(db, () => (outside = true));
    expect(outside).toBe(true);
    await settles(async () => seen.length > 0);
    expect(seen).toEqual([['a']]);
  });

  it("sends a transaction's last statement with its COMMIT: written with the rest, or the whole transaction rolled back", async () => {
    const db = await connect();
    await db.query('CREATE TABLE last_probe (v text PRIMARY KEY, n bigint)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO last_probe VALUES ($1, $2)', ['first', 1]);
      await lastInTransaction(tx, 'INSERT INTO last_probe VALUES ($1, $2)', ["it's last", -2]);
      // Nothing may follow it: it is sent after the work, with the COMMIT.
      await expect(tx.query('SELECT 1')).rejects.toThrow(/after the transaction's last one/);
      expect((await db.query('SELECT v FROM last_probe')).length).toBe(0);
    });
    expect(await db.query('SELECT v, n FROM last_probe ORDER BY n')).toEqual([
      { v: "it's last", n: -2 },
      { v: 'first', n: 1 },
    ]);
    // The last statement fails (a duplicate key): the COMMIT after it is not run, and nothing stays.
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO last_probe VALUES ($1, $2)', ['second', 3]);
        await lastInTransaction(tx, 'INSERT INTO last_probe VALUES ($1, $2)', ['first', 4]);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await db.query('SELECT v FROM last_probe ORDER BY n')).map((r) => r.v)).toEqual(["it's last", 'first']);
    // Outside a transaction it is an ordinary statement.
    await lastInTransaction(db, 'INSERT INTO last_probe VALUES ($1, $2)', ['alone', 5]);
    expect((await db.query('SELECT v FROM last_probe WHERE n = 5')).length).toBe(1);
  });

  it("sends BEGIN with a transaction's first statement when its values have literals, and means the same as with parameters", async () => {
    const db = await connect();
    await db.query('CREATE TABLE first_probe (v text PRIMARY KEY, n bigint, ok boolean, doc jsonb)');
    const { sent, spy } = recordQueries();
    try {
      // A number for a text column, a boolean, JSON as text, a quote: typed from where they stand.
      const rows = await db.transaction(async (tx) => {
        const inserted = await tx.query('INSERT INTO first_probe VALUES ($1, $2, $3, $4) RETURNING n, ok, doc', [42, 7, true, '{"a":"it\'s"}']);
        await lastInTransaction(tx, 'UPDATE first_probe SET n = n + $2 WHERE v = $1', ['42', 1]);
        return inserted;
      });
      expect(rows).toEqual([{ n: 7, ok: true, doc: { a: "it's" } }]);
      // Two round trips: BEGIN with the first statement, the last statement with the COMMIT.
      expect(sent).toEqual([
        `BEGIN; INSERT INTO first_probe VALUES ('42', '7', 'true', '{"a":"it''s"}') RETURNING n, ok, doc`,
        "UPDATE first_probe SET n = n + '1' WHERE v = '42'; COMMIT",
      ]);
      expect(await db.query('SELECT v, n FROM first_probe')).toEqual([{ v: '42', n: 8 }]);

      // A Buffer has no literal: BEGIN goes alone, then the statement with its parameters; a
      // statement asked for at the same time still follows it.
      sent.length = 0;
      await db.transaction(async (tx) => {
        await Promise.all([
          tx.query("INSERT INTO first_probe SELECT convert_from($1, 'UTF8'), 1", [Buffer.from('a')]),
          tx.query("INSERT INTO first_probe VALUES ('c', 2)"),
        ]);
      });
      expect(sent).toEqual(['BEGIN', "INSERT INTO first_probe SELECT convert_from($1, 'UTF8'), 1", "INSERT INTO first_probe VALUES ('c', 2)", 'COMMIT']);

      // The first statement is inside the transaction: a failure after it takes it back too.
      await expect(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO first_probe VALUES ($1, $2)', ["'; DROP TABLE first_probe; --", 3]);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      // A transaction that runs nothing sends nothing.
      sent.length = 0;
      await db.transaction(async () => undefined);
      expect(sent).toEqual([]);
      // Several last statements go in the order given, all with the COMMIT (the cluster outbox's
      // note and the channel's counters of a new post).
      sent.length = 0;
      await db.transaction(async (tx) => {
        await tx.query('INSERT INTO first_probe VALUES ($1, $2)', ['several', 1]);
        await lastInTransaction(tx, 'UPDATE first_probe SET n = n * $2 WHERE v = $1', ['several', 10]);
        await lastInTransaction(tx, 'UPDATE first_probe SET n = n + $2 WHERE v = $1', ['several', 1]);
        await expect(tx.query('SELECT 1')).rejects.toThrow(/after the transaction's last one/);
      });
      expect(sent).toEqual([
        "BEGIN; INSERT INTO first_probe VALUES ('several', '1')",
        "UPDATE first_probe SET n = n * '10' WHERE v = 'several'; UPDATE first_probe SET n = n + '1' WHERE v = 'several'; COMMIT",
      ]);
      expect(await db.query('SELECT n FROM first_probe WHERE v = $1', ['several'])).toEqual([{ n: 11 }]);
      await db.query('DELETE FROM first_probe WHERE v = $1', ['several']);

      // Only a last statement: BEGIN, it and COMMIT in one query; when it fails, the connection is
      // rolled back before it goes back to the pool (one connection here, so the next query gets it).
      const single = await connect({ maxConnections: 1 });
      await expect(single.transaction(async (tx) => lastInTransaction(tx, 'INSERT INTO first_probe VALUES ($1, $2)', ['42', 9]))).rejects.toThrow(
        /duplicate key/,
      );
      expect(sent.at(-2)).toBe("BEGIN; INSERT INTO first_probe VALUES ('42', '9'); COMMIT");
      expect(await single.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      spy.mockRestore();
    }
    expect((await db.query<{ v: string }>('SELECT v FROM first_probe ORDER BY v')).map((r) => r.v)).toEqual(['42', 'a', 'c']);
  });

  it('sends a one-trip transaction as one query, BEGIN to COMMIT, and hands each statement its rows once it has committed', async () => {
    const db = await connect({ maxConnections: 1 });
    await db.query('CREATE TABLE trip_probe (v text PRIMARY KEY, n bigint, tags text[], doc jsonb)');
    const { sent, spy } = recordQueries();
    try {
      const committed: string[] = [];
      const asked = await db.transactionInOneTrip((tx) => {
        tx.afterCommit!(() => committed.push('after commit'));
        // A last statement goes after every other, whenever it was asked for.
        void lastInTransaction(tx, 'UPDATE trip_probe SET n = n + $2 WHERE v = $1', ['a', 100]);
        return {
          // An array and an object inline, with a quote and a NUL-free escape: the same values as parameters.
          inserted: tx.query('INSERT INTO trip_probe VALUES ($1, $2, $3, $4) RETURNING v, n, tags, doc', ['a', 1, ['x', 'y "z" \\', null], { k: "it's" }]),
          // A later statement sees the earlier ones' writes, as in any transaction.
          seen: tx.query('SELECT count(*)::int AS c FROM trip_probe WHERE v = ANY($1)', [['a', 'b']]),
        };
      });
      expect(sent).toEqual([
        String.raw`BEGIN; INSERT INTO trip_probe VALUES ('a', '1',  E'{"x","y \\"z\\" \\\\",NULL}', '{"k":"it''s"}') RETURNING v, n, tags, doc; ` +
          `SELECT count(*)::int AS c FROM trip_probe WHERE v = ANY('{"a","b"}'); UPDATE trip_probe SET n = n + '100' WHERE v = 'a'; COMMIT`,
      ]);
      expect(committed).toEqual(['after commit']);
      expect(await asked.inserted).toEqual([{ v: 'a', n: 1, tags: ['x', 'y "z" \\', null], doc: { k: "it's" } }]);
      expect(await asked.seen).toEqual([{ c: 1 }]);
      expect(await db.query('SELECT v, n FROM trip_probe')).toEqual([{ v: 'a', n: 101 }]);

      // Nothing may be asked for once it is built.
      let built: Queryable | undefined;
      await db.transactionInOneTrip((tx) => void (built = tx));
      expect(() => built!.query('SELECT 1')).toThrow(/after the one-trip transaction was built/);

      // A failure (the last statement's duplicate key) rolls back all of it; the statements'
      // promises never settle, and the one connection is clean for the next query.
      let settled = false;
      await expect(
        db.transactionInOneTrip((tx) => {
          void tx.query('INSERT INTO trip_probe (v, n) VALUES ($1, $2)', ['b', 2]).then(() => (settled = true));
          void lastInTransaction(tx, 'INSERT INTO trip_probe (v, n) VALUES ($1, $2)', ['a', 3]);
        }),
      ).rejects.toThrow(/duplicate key/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(false);
      expect(await db.query('SELECT v FROM trip_probe ORDER BY v')).toEqual([{ v: 'a' }]);

      // A value with no literal (a Buffer): the statements go one by one, to the same end.
      sent.length = 0;
      const rows = await db.transactionInOneTrip((tx) =>
        tx.query("INSERT INTO trip_probe (v, n) VALUES (convert_from($1, 'UTF8'), $2) RETURNING v", [Buffer.from('c'), 4]),
      );
      expect(await rows).toEqual([{ v: 'c' }]);
      expect(sent).toEqual(['BEGIN', "INSERT INTO trip_probe (v, n) VALUES (convert_from($1, 'UTF8'), $2) RETURNING v", 'COMMIT']);

      // A build that throws sends nothing; one that asks for nothing neither.
      sent.length = 0;
      await expect(
        db.transactionInOneTrip((tx) => {
          void tx.query('DELETE FROM trip_probe');
          throw new Error('refused');
        }),
      ).rejects.toThrow('refused');
      await db.transactionInOneTrip(() => undefined);
      expect(sent).toEqual([]);
      expect(await db.query('SELECT count(*)::int AS c FROM trip_probe')).toEqual([{ c: 2 }]);
    } finally {
      spy.mockRestore();
    }
  });

  it('prepares a statement the second time it runs, on the pool and in transactions, unless the DataSource says 0', async () => {
    const prepared = async (db: Database) =>
      (await db.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements')).map((r) => r.statement).filter((t) => t.includes('probe'));
    const db = await connect({ maxConnections: 1 });
    for (let i = 0; i < 3; i++) expect(await db.query('SELECT $1::int AS probe', [i])).toEqual([{ probe: i }]);
    await db.transaction(async (tx) => {
      await tx.query('SELECT 1'); // the first statement goes with the BEGIN, as text
      for (let i = 0; i < 2; i++) await tx.query('SELECT $1::text AS probe_in_tx', [`v${i}`]);
    });
    expect((await prepared(db)).sort()).toEqual(['SELECT $1::int AS probe', 'SELECT $1::text AS probe_in_tx']);
    expect(db.statements.size).toBeGreaterThanOrEqual(2);
    // The same text keeps its plan: a third run does not prepare it again (pg would refuse a second Parse of the name).
    expect(await db.query('SELECT $1::int AS probe', [7])).toEqual([{ probe: 7 }]);

    const url = new URL(databaseUrl(name));
    url.searchParams.set('statement_cache_capacity', '0');
    const off = await connect({ maxConnections: 1, url: url.toString() });
    for (let i = 0; i < 3; i++) await off.query('SELECT $1::int AS probe_off', [i]);
    expect(await prepared(off)).toEqual([]);
    expect(off.statements.capacity).toBe(0);
  });

  it('plans a prepared statement on every run, so a table that grew is read with a plan for its size', async () => {
    const db = await connect({ maxConnections: 1 });
    expect(await db.query('SHOW plan_cache_mode')).toEqual([{ plan_cache_mode: 'force_custom_plan' }]);
    await db.query('CREATE TABLE growth_probe (channel_id text, at bigint, body text)');
    await db.query('CREATE INDEX ON growth_probe (channel_id, at DESC)');
    await db.query("INSERT INTO growth_probe SELECT 'c', g, 'x' FROM generate_series(1, 50) g");
    await db.query('ANALYZE growth_probe');
    const page = 'SELECT at FROM growth_probe WHERE channel_id = $1 ORDER BY at DESC LIMIT 30';
    for (let i = 0; i < 8; i++) await db.query(page, ['c']);
    const prepared = db.statements.config(page, ['c']).name;
    expect(prepared).toBeDefined();
    // What PostgreSQL's default (auto) does: after five runs it keeps a generic plan, made for the small table.
    const url = new URL(databaseUrl(name));
    url.searchParams.set('statement_cache_capacity', '0');
    const auto = await connect({ maxConnections: 1, url: url.toString() });
    expect(await auto.query('SHOW plan_cache_mode')).toEqual([{ plan_cache_mode: 'auto' }]);
    // A DataSource with startup options of its own keeps them, and gets the setting too.
    const withOptions = new URL(databaseUrl(name));
    withOptions.searchParams.set('options', '-c application_name=probe_app');
    const own = await connect({ maxConnections: 1, url: withOptions.toString() });
    expect(await own.query('SELECT current_setting($1) AS app, current_setting($2) AS mode', ['application_name', 'plan_cache_mode'])).toEqual([
      { app: 'probe_app', mode: 'force_custom_plan' },
    ]);
    await auto.query(`PREPARE kept_generic(text) AS ${page}`);
    for (let i = 0; i < 8; i++) await auto.query("EXECUTE kept_generic('c')");

    // Grown 1,000 times over with no ANALYZE since (autovacuum has not come round yet).
    await db.query("INSERT INTO growth_probe SELECT 'c', g, repeat('x', 100) FROM generate_series(51, 50000) g");
    const explain = async (q: Database, statement: string) =>
      (await q.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${statement}('c')`)).map((r) => r['QUERY PLAN']).join('\n');
    expect(await explain(auto, 'kept_generic')).toMatch(/Seq Scan/);
    const plan = await explain(db, prepared!);
    expect(plan).toMatch(/Index (Only )?Scan/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it('runs a prepared statement again unnamed when a migration changed its columns, on the pool and the next transaction', async () => {
    const db = await connect({ maxConnections: 1 });
    await db.query('CREATE TABLE stale_probe (id int PRIMARY KEY)');
    await db.query('INSERT INTO stale_probe VALUES (1)');
    const read = 'SELECT * FROM stale_probe WHERE id = $1';
    for (let i = 0; i < 2; i++) expect(await db.query(read, [1])).toEqual([{ id: 1 }]);
    expect(db.statements.config(read, [1]).name).toBeDefined();
    // Another node's migration: the prepared statement's result would change.
    const other = await connect({ maxConnections: 1, preparedStatements: 0 });
    await other.query('ALTER TABLE stale_probe ADD COLUMN note text');
    expect(await db.query(read, [1])).toEqual([{ id: 1, note: null }]);
    expect(db.statements.config(read, [1])).not.toHaveProperty('name');

    // In a transaction the failure aborts it; the statement runs unnamed from then on.
    const inTx = 'SELECT * FROM stale_probe WHERE id >= $1';
    for (let i = 0; i < 2; i++) await db.query(inTx, [0]);
    await other.query('ALTER TABLE stale_probe ADD COLUMN more text');
    const work = (tx: Queryable) => tx.query('SELECT 1').then(() => tx.query(inTx, [0]));
    await expect(db.transaction(work)).rejects.toThrow(/cached plan must not change result type/);
    expect(await db.transaction(work)).toEqual([{ id: 1, note: null, more: null }]);
  });

  it('applies QueryTimeout as the statement timeout', async () => {
    const db = await connect({ queryTimeoutSeconds: 1 });
    expect(await db.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '1s' }]);
    await expect(db.query('SELECT pg_sleep(3)')).rejects.toThrow(/statement timeout/);
  });

  it('opens at most MaxOpenConns connections', async () => {
    const db = await connect({ maxConnections: 2 });
    const pids = await Promise.all([1, 2, 3, 4].map(async () => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.2)'))[0].pid));
    expect(new Set(pids).size).toBe(2);
  });

  it('closes idle connections after ConnMaxIdleTime', async () => {
    const db = await connect({ maxIdleTimeMs: 200 });
    const [{ pid }] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    expect(await settles(async () => (await asAdmin('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length === 0)).toBe(true);
    expect(await db.ping()).toBe(true);
  });

  it('replaces connections older than ConnMaxLifetime', async () => {
    const db = await connect({ maxConnections: 1, maxLifetimeMs: 1000 });
    const pid = async () => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0].pid;
    const first = await pid();
    expect(await pid()).toBe(first);
    await sleep(1300);
    expect(await pid()).not.toBe(first);
  });

  it('fails to connect to a database that does not answer, and closes twice without complaint', async () => {
    const nowhere = new URL(databaseUrl(name));
    nowhere.port = '1';
    await expect(Database.connect({ url: nowhere.toString(), maxConnections: 1, queryTimeoutSeconds: 1 })).rejects.toThrow();
    const db = await connect();
    await db.close();
    await db.close();
    expect(await db.ping()).toBe(false);
  });
});

/** Every query text a pg client sends from now on (newlines as spaces), until `spy.mockRestore()`. */
function recordQueries(): { sent: string[]; spy: { mockRestore(): void } } {
  const sent: string[] = [];
  const query = pg.Client.prototype.query;
  const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text !== undefined) sent.push(text.replace(/\n/g, ' '));
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as never);
  return { sent, spy };
}
