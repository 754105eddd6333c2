/**
 * Sign-ups (UsersRepository.insertSerialised) against a throwaway database on the machine's
 * PostgreSQL: sign-ups from two "nodes" (separate pools) at once on an empty table make exactly one
 * first user, and a sign-up does not wait for another transaction that writes to users (a login
 * resetting its failed attempts), which a lock of the whole table made it do.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '#db';
import { ThrowawayDatabase } from '#testing';
import { testUserRow } from './user.fixtures.js';
import { UsersRepository } from './users.repository.js';

let pg: ThrowawayDatabase;
let dbA: Database;
let dbB: Database;
let nodeA: UsersRepository;
let nodeB: UsersRepository;

beforeAll(async () => {
  pg = await ThrowawayDatabase.create({ nodes: 2, maxConnections: 6 });
  [dbA, dbB] = pg.nodes;
  nodeA = new UsersRepository(dbA);
  nodeB = new UsersRepository(dbB);
});

afterAll(() => pg?.drop());

beforeEach(async () => {
  await dbA.query('DELETE FROM users');
});

async function userCount(): Promise<number> {
  return (await dbA.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0].n;
}

/** Backends of this database waiting for a heavyweight lock (pg_stat_activity's wait event type Lock). */
async function lockWaits(): Promise<number> {
  const rows = await dbA.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
  );
  return rows[0].n;
}

describe('sign-ups', () => {
  it('at once on two nodes on an empty table: exactly one is the first user, and every one is written', async () => {
    const firsts: string[] = [];
    const signUps = Array.from({ length: 12 }, (_, i) => {
      const row = testUserRow(`signup${i}`);
      return (i % 2 ? nodeA : nodeB).insertSerialised(row, (clashes, first) => {
        expect(clashes).toEqual([]);
        if (first) firsts.push(row.username);
      });
    });
    await Promise.all(signUps);
    expect(firsts).toHaveLength(1);
    expect(await userCount()).toBe(12);
  });

  it('refused by its decision writes nothing', async () => {
    await nodeA.insertSerialised(testUserRow('taken'), () => undefined);
    const clash = testUserRow('taken', { email: 'other@example.com' });
    await expect(
      nodeB.insertSerialised(clash, (clashes) => {
        if (clashes.length > 0) throw new Error('username taken');
      }),
    ).rejects.toThrow('username taken');
    expect(await userCount()).toBe(1);
  });

  it('does not wait for another transaction writing to users (a login clearing its failed attempts)', async () => {
    const existing = testUserRow('existing');
    await nodeA.insertSerialised(existing, () => undefined);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let updated!: () => void;
    const hasUpdated = new Promise<void>((r) => (updated = r));
    // The UPDATE takes the table's ROW EXCLUSIVE lock until its transaction ends, as a login's does.
    const writer = dbB.transaction(async (tx) => {
      await tx.query('UPDATE users SET failed_attempts = 0 WHERE id = $1', [existing.id]);
      updated();
      await held;
    });
    await hasUpdated;
    try {
      let done = false;
      const signUp = nodeA.insertSerialised(testUserRow('newcomer'), () => undefined).then(() => (done = true));
      // Either the sign-up finishes, or PostgreSQL shows it waiting for a lock: whichever comes first.
      while (!done && (await lockWaits()) === 0) await new Promise((r) => setTimeout(r, 10));
      expect(await lockWaits()).toBe(0);
      await signUp;
    } finally {
      release();
      await writer;
    }
    expect(await userCount()).toBe(2);
  });
});
