import { describe, expect, it, vi } from 'vitest';
import type { Database, Queryable } from '#db';
import { StatusRepository } from './status.repository.js';

const row = { user_id: 'u1', status: 'online', manual: false, last_activity_at: 5, dnd_end_time: 0, prev_status: '' };

/** A transaction's Queryable that records what was asked of it. */
function fakeTx() {
  const tx = { query: vi.fn(async () => []), commitWith: vi.fn((_sql: string, _params: unknown[]) => undefined), afterCommit: vi.fn() };
  return tx satisfies Queryable;
}

describe('StatusRepository writes', () => {
  const repo = new StatusRepository({ query: vi.fn(async () => []) } as unknown as Database);

  it('sends a status change with the COMMIT of its transaction, not as one more trip that holds the row lock', async () => {
    const tx = fakeTx();
    await repo.save(tx, row);
    await repo.setLastActivityAt('u1', 9, tx);
    expect(tx.query).not.toHaveBeenCalled();
    expect(tx.commitWith.mock.calls.map(([sql, params]) => [String(sql).split(' ')[0], params])).toEqual([
      ['INSERT', ['u1', 'online', false, 5, 0, '']],
      ['UPDATE', ['u1', 9]],
    ]);
  });

  it('runs them at once outside a transaction', async () => {
    const db = { query: vi.fn(async () => []) };
    await new StatusRepository(db as unknown as Database).setLastActivityAt('u1', 9);
    expect(db.query).toHaveBeenCalledWith(expect.stringMatching(/^UPDATE status/), ['u1', 9]);
  });
});
