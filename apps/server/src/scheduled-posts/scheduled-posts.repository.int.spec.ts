/**
 * The scheduled_posts claim against a throwaway database on the machine's PostgreSQL: two
 * "nodes" (separate connection pools) claiming at once each get different rows and together all
 * of them; a row being sent cannot be edited; stale claims and old rows give up.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '#common';
import type { Database } from '#db';
import { ThrowawayDatabase } from '#testing';
import { ScheduledPostRow } from './scheduled-post.model.js';
import { ScheduledPostsRepository } from './scheduled-posts.repository.js';

let pg: ThrowawayDatabase;
let dbA: Database;
let dbB: Database;
let nodeA: ScheduledPostsRepository;
let nodeB: ScheduledPostsRepository;

const row = (at: number, extra: Partial<ScheduledPostRow> = {}): ScheduledPostRow => ({
  id: newId(),
  create_at: at - 1000,
  update_at: at - 1000,
  user_id: newId(),
  channel_id: newId(),
  root_id: '',
  message: 'm',
  props: {},
  file_ids: [],
  priority: {},
  scheduled_at: at,
  processed_at: 0,
  error_code: '',
  claimed_at: 0,
  ...extra,
});

beforeAll(async () => {
  pg = await ThrowawayDatabase.create({ nodes: 2 });
  [dbA, dbB] = pg.nodes;
  nodeA = new ScheduledPostsRepository(dbA);
  nodeB = new ScheduledPostsRepository(dbB);
});

afterAll(() => pg?.drop());

beforeEach(async () => {
  await dbA.query('DELETE FROM scheduled_posts');
});

/** Claims and "sends" (deletes) until nothing is due, as the sender does; returns what it claimed. */
async function drain(repo: ScheduledPostsRepository, now: number): Promise<string[]> {
  const got: string[] = [];
  for (;;) {
    const claimed = await repo.claimNextDue(now, now - 86_400_000, Date.now());
    if (!claimed) return got;
    got.push(claimed.id);
    await new Promise((r) => setTimeout(r, 1));
    await repo.deleteSent(claimed.id, claimed.claimed_at);
  }
}

describe('claimNextDue', () => {
  it('hands each due row to exactly one of two nodes claiming at once, and none that is not due', async () => {
    const now = Date.now();
    const due = Array.from({ length: 40 }, (_, i) => row(now - 1000 + i));
    for (const r of due) await nodeA.insert(r);
    const notYet = row(now + 60_000);
    await nodeA.insert(notYet);

    const [a, b] = await Promise.all([drain(nodeA, now), drain(nodeB, now)]);
    expect(a.length + b.length).toBe(40);
    expect(new Set([...a, ...b]).size).toBe(40);
    expect([...a, ...b].sort()).toEqual(due.map((r) => r.id).sort());
    expect(await nodeA.get(notYet.id)).toMatchObject({ claimed_at: 0 });
    // A retried run finds nothing more to send.
    expect(await drain(nodeB, now)).toEqual([]);
  });

  it('never hands out a claimed or failed row again', async () => {
    const now = Date.now();
    const r = row(now - 10);
    await nodeA.insert(r);
    const claimed = await nodeA.claimNextDue(now, now - 86_400_000, now);
    expect(claimed?.id).toBe(r.id);
    expect(await nodeB.claimNextDue(now, now - 86_400_000, now)).toBeUndefined();
    // A finish with someone else's claim changes nothing; with its own, the row fails for good.
    expect(await nodeB.markFailed(r.id, claimed!.claimed_at + 1, 'unknown', now)).toBeUndefined();
    expect(await nodeA.markFailed(r.id, claimed!.claimed_at, 'channel_archived', now)).toMatchObject({ error_code: 'channel_archived', processed_at: now });
    expect(await nodeB.claimNextDue(now, now - 86_400_000, now)).toBeUndefined();
  });
});

describe('update', () => {
  it('cannot change a row being sent; clearing a failed row’s error makes it due again', async () => {
    const now = Date.now();
    const sending = row(now - 10);
    await nodeA.insert(sending);
    await nodeA.claimNextDue(now, now - 86_400_000, now);
    const edit = { message: 'edited', props: {}, file_ids: [], priority: {}, scheduled_at: now - 5, error_code: '' };
    expect(await nodeB.update({ ...edit, id: sending.id }, now)).toBeUndefined();

    await nodeA.markFailed(sending.id, now, 'unknown', now);
    expect(await nodeB.update({ ...edit, id: sending.id }, now + 1)).toMatchObject({ message: 'edited', error_code: '', claimed_at: 0, processed_at: now + 1 });
    expect((await nodeB.claimNextDue(now + 1, now - 86_400_000, now + 1))?.id).toBe(sending.id);
  });
});

describe('expireStale', () => {
  it('gives up on rows due over a day ago and on claims nobody finished, not on fresh claims', async () => {
    const now = Date.now();
    const old = row(now - 2 * 86_400_000);
    const stuck = row(now - 60_000);
    const fresh = row(now - 60_000);
    for (const r of [old, stuck, fresh]) await nodeA.insert(r);
    await dbA.query('UPDATE scheduled_posts SET claimed_at = $2 WHERE id = $1', [stuck.id, now - 3_600_000]);
    await dbA.query('UPDATE scheduled_posts SET claimed_at = $2 WHERE id = $1', [fresh.id, now - 1000]);
    const expired = await nodeB.expireStale(now - 86_400_000, now - 600_000, now);
    expect(expired.map((r) => r.id).sort()).toEqual([old.id, stuck.id].sort());
    expect(expired.every((r) => r.error_code === 'unable_to_send' && r.processed_at === now)).toBe(true);
    expect(await nodeA.get(fresh.id)).toMatchObject({ error_code: '' });
  });
});
