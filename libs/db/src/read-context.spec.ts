import { describe, expect, it } from 'vitest';
import { currentReadContext, isReadOnlyStatement, runWithReadContext } from './read-context.js';
import { isConnectionError } from './replicas.js';

describe('isReadOnlyStatement', () => {
  it.each([
    ['SELECT 1', true],
    ['  select * from posts', true],
    ['SHOW server_version', true],
    ['WITH x AS (SELECT 1) SELECT * FROM x WHERE update_at > 0', true],
    ['INSERT INTO posts VALUES (1)', false],
    ['UPDATE posts SET message = $1', false],
    ['DELETE FROM posts', false],
    ['WITH gone AS (DELETE FROM posts RETURNING id) SELECT count(*) FROM gone', false],
    ['BEGIN', false],
  ])('%s → %s', (sql, readOnly) => expect(isReadOnlyStatement(sql)).toBe(readOnly));
});

describe('read context', () => {
  it('follows the work it runs across awaits, and is absent outside', async () => {
    expect(currentReadContext()).toBeUndefined();
    await runWithReadContext('u1', async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(currentReadContext()).toMatchObject({ userId: 'u1', wrote: false });
    });
    expect(currentReadContext()).toBeUndefined();
  });
});

describe('isConnectionError', () => {
  it('knows a replica that went away from an error in the statement', () => {
    expect(isConnectionError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('the database system is shutting down'), { code: '57P03' }))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
    expect(isConnectionError(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe(false);
  });
});
