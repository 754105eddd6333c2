/**
 * The Database's replica routing against a real streaming replica (startPostgresReplicaPair):
 * where reads go, read-your-writes with replay paused, the lag limits, a replica that stops, and
 * the search replicas. Where a read ran is told by pg_is_in_recovery() in the read itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startPostgresReplicaPair, type PostgresReplicaPair } from '#testing';
import { Database } from './database.js';
import { runWithReadContext } from './read-context.js';
import type { ReplicaLagSetting } from './replicas.js';

const WHERE = 'SELECT pg_is_in_recovery() AS replica';

describe('Database with read replicas', () => {
  let pair: PostgresReplicaPair;
  const open: Database[] = [];

  async function connect(opts: { replicas?: string[]; search?: string[]; lag?: ReplicaLagSetting[] } = {}): Promise<Database> {
    const db = await Database.connect({
      url: pair.primary.url(),
      maxConnections: 4,
      queryTimeoutSeconds: 10,
      replicas: {
        replicas: opts.replicas ?? [pair.replica.url()],
        searchReplicas: opts.search ?? [],
        lagSettings: opts.lag ?? [],
        // Rounds are run by hand below (healthRound); the timer only adds its own.
        monitorIntervalMs: 60_000,
      },
    });
    open.push(db);
    await db.startReplicaMonitor();
    return db;
  }

  /** Whether `user`'s read (a request of theirs, not yet written) runs on the replica. */
  async function readsReplica(db: Database, user = 'reader', reader: 'replica' | 'search' = 'replica'): Promise<boolean> {
    return runWithReadContext(user, async () => (await db[reader]().query<{ replica: boolean }>(WHERE))[0].replica);
  }

  /** A request of `user` that writes a row, then fences them as the server does after a writing request. */
  async function writeAs(db: Database, user: string, value: string): Promise<void> {
    await runWithReadContext(user, async () => {
      await db.query('INSERT INTO notes (value) VALUES ($1)', [value]);
    });
    await db.replicaSet!.recordWrite(user);
  }

  async function notesSeenBy(db: Database, user: string): Promise<string[]> {
    return runWithReadContext(user, async () => (await db.replica().query<{ value: string }>('SELECT value FROM notes ORDER BY value')).map((r) => r.value));
  }

  beforeAll(async () => {
    pair = await startPostgresReplicaPair();
    await pair.primary.query('CREATE TABLE notes (value text)');
    await pair.caughtUp();
  }, 90_000);

  afterAll(async () => {
    for (const db of open) await db.close();
    await pair?.stop();
  }, 60_000);

  it('sends replica-safe reads of a request to the replica, and everything else to the master', async () => {
    const db = await connect();
    await eventually(async () => expect(await readsReplica(db)).toBe(true), 10_000);
    // Outside a request (jobs, sockets): the master.
    expect((await db.replica().query<{ replica: boolean }>(WHERE))[0].replica).toBe(false);
    // Plain queries and transactions: the master.
    expect(await runWithReadContext('u', async () => (await db.query<{ replica: boolean }>(WHERE))[0].replica)).toBe(false);
    // After the request wrote, its reads stay on the master.
    const afterWrite = await runWithReadContext('u', async () => {
      await db.query('INSERT INTO notes (value) VALUES ($1)', ['in-request']);
      return (await db.replica().query<{ replica: boolean }>(WHERE))[0].replica;
    });
    expect(afterWrite).toBe(false);
    expect(db.openConnections().replicas).toBeGreaterThan(0);
  });

  it("reads the user's own writes with replay paused, lets others read stale, takes the lagging replica out and puts it back", async () => {
    const db = await connect({ lag: [{ DataSource: pair.replica.url(), MaxAbsoluteLagBytes: 1_000_000 }] });
    await eventually(async () => expect(await readsReplica(db, 'writer')).toBe(true), 10_000);
    await pair.pauseReplay();
    try {
      await writeAs(db, 'writer', 'paused-1');
      // The writer's next request reads the master and sees the write…
      expect(await notesSeenBy(db, 'writer')).toContain('paused-1');
      expect(await readsReplica(db, 'writer')).toBe(false);
      // …another user reads the replica, which has not replayed it: stale, and allowed.
      expect(await readsReplica(db, 'other')).toBe(true);
      expect(await notesSeenBy(db, 'other')).not.toContain('paused-1');
      // Under the limit, the replica stays in.
      await db.replicaSet!.healthRound();
      expect(db.replicaSet!.status()[0]).toMatchObject({ inService: true });
      // Past it (a megabyte of WAL), out: everyone reads the master.
      await pair.primary.query(`INSERT INTO notes (value) SELECT 'filler-' || g FROM generate_series(1, 30000) g`);
      await db.replicaSet!.healthRound();
      const [status] = db.replicaSet!.status();
      expect(status.inService).toBe(false);
      expect(status.reason).toMatch(/lagging \d+ bytes/);
      expect(db.replicaSet!.lag().abs.get('replica-0')).toBeGreaterThan(1_000_000);
      expect(await readsReplica(db, 'other')).toBe(false);
    } finally {
      await pair.resumeReplay();
    }
    await pair.caughtUp();
    await db.replicaSet!.healthRound();
    expect(db.replicaSet!.status()[0]).toMatchObject({ inService: true, lagBytes: 0 });
    // Caught up past the writer's fence: the writer reads the replica again, and sees the write there.
    await eventually(async () => expect(await readsReplica(db, 'writer')).toBe(true), 10_000);
    expect(await notesSeenBy(db, 'writer')).toContain('paused-1');
  }, 60_000);

  it('takes out a replica that lags in time, once there is WAL it has not replayed', async () => {
    const db = await connect({ lag: [{ DataSource: pair.replica.url(), MaxTimeLagSeconds: 1 }] });
    await eventually(async () => expect(await readsReplica(db)).toBe(true), 10_000);
    await pair.pauseReplay();
    try {
      await pair.primary.query(`INSERT INTO notes (value) VALUES ('time-1')`);
      await eventually(
        async () => {
          await pair.primary.query(`INSERT INTO notes (value) VALUES ('tick')`);
          await db.replicaSet!.healthRound();
          expect(db.replicaSet!.status()[0].reason).toMatch(/lagging [\d.]+ s/);
        },
        15_000,
        300,
      );
      expect(db.replicaSet!.lag().time.get('replica-0')).toBeGreaterThan(1);
    } finally {
      await pair.resumeReplay();
    }
    await pair.caughtUp();
    await db.replicaSet!.healthRound();
    expect(db.replicaSet!.status()[0]).toMatchObject({ inService: true, lagSeconds: 0 });
  }, 60_000);

  it('answers from the master when the replica stops, and uses it again once it is back', async () => {
    const db = await connect();
    await eventually(async () => expect(await readsReplica(db)).toBe(true), 10_000);
    await pair.replica.stop();
    try {
      // The read that meets the dead replica is retried on the master: no error.
      expect(await readsReplica(db)).toBe(false);
      expect(db.replicaSet!.status()[0]).toMatchObject({ inService: false });
      expect(db.replicaSet!.status()[0].reason).toMatch(/^down/);
      await db.replicaSet!.healthRound();
      expect(db.replicaSet!.status()[0].inService).toBe(false);
    } finally {
      await pair.replica.start();
    }
    await eventually(
      async () => {
        await db.replicaSet!.healthRound();
        expect(db.replicaSet!.status()[0].inService).toBe(true);
      },
      20_000,
      200,
    );
    await eventually(async () => expect(await readsReplica(db)).toBe(true), 10_000);
  }, 60_000);

  it('sends searches to the search replicas, and other reads to the replicas or the master', async () => {
    const db = await connect({ replicas: [], search: [pair.replica.url()] });
    await eventually(async () => expect(await readsReplica(db, 'u', 'search')).toBe(true), 10_000);
    // No DataSourceReplicas: ordinary reads go to the master, not to the search replica.
    expect(await readsReplica(db, 'u', 'replica')).toBe(false);
    expect(db.openConnections().searchReplicas).toBeGreaterThan(0);
    // With only ordinary replicas, searches fall back to them.
    const plain = await connect();
    await eventually(async () => expect(await readsReplica(plain, 'u', 'search')).toBe(true), 10_000);
  });

  it("runs Mattermost's ReplicaLagSettings queries and reports their answers by node", async () => {
    const db = await connect({
      lag: [
        {
          DataSource: pair.primary.url(),
          QueryAbsoluteLag: `SELECT 'standby-a' AS node, 42::float8 AS metric`,
          QueryTimeLag: `SELECT 'standby-a', 1.5::float8`,
        },
      ],
    });
    await db.replicaSet!.healthRound();
    expect(db.replicaSet!.lag().abs.get('standby-a')).toBe(42);
    expect(db.replicaSet!.lag().time.get('standby-a')).toBe(1.5);
    // Our own measure of each replica is reported beside them.
    expect(db.replicaSet!.lag().abs.has('replica-0')).toBe(true);
  });
});
