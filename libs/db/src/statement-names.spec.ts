import { describe, expect, it } from 'vitest';
import { isStalePreparedStatement, StatementNames, takeStatementCacheCapacity } from './statement-names.js';

describe('StatementNames', () => {
  it('names a text the second time it is seen, and keeps the name', () => {
    const names = new StatementNames(10);
    expect(names.config('SELECT 1', [1])).toEqual({ text: 'SELECT 1', values: [1] });
    const second = names.config('SELECT 1', [1]);
    expect(second.name).toMatch(/^mm_s\d+$/);
    expect(names.config('SELECT 1', [2]).name).toBe(second.name);
    expect(names.config('SELECT 2', [1])).not.toHaveProperty('name');
    expect(names.config('SELECT 2', [1]).name).not.toBe(second.name);
    expect(names.size).toBe(2);
  });

  it('never names a statement without values: pg sends it as text, which may hold several statements', () => {
    const names = new StatementNames(10);
    for (let i = 0; i < 3; i++) expect(names.config('SET x = 1; SELECT 1', [])).toEqual({ text: 'SET x = 1; SELECT 1', values: [] });
    expect(names.size).toBe(0);
  });

  it('names no more texts than its capacity; the others run unnamed', () => {
    const names = new StatementNames(2);
    for (const text of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) names.config(text, [1]);
    expect(names.size).toBe(2);
    expect(names.config('c', [1])).not.toHaveProperty('name');
    expect(names.config('a', [1]).name).toBeDefined();
    const none = new StatementNames(0);
    none.config('a', [1]);
    expect(none.config('a', [1])).not.toHaveProperty('name');
  });

  it('forgets texts seen once when too many wait, so one-off texts hold no memory', () => {
    const names = new StatementNames(1);
    names.config('hot', [1]);
    for (let i = 0; i < 4; i++) names.config(`once ${i}`, [1]); // the fifth text seen once clears the waiting set
    expect(names.config('hot', [1])).not.toHaveProperty('name');
    expect(names.config('hot', [1]).name).toBeDefined();
  });
});

describe('StatementNames after a failure', () => {
  it('runs a forgotten text unnamed from then on, its slot still counted', () => {
    const names = new StatementNames(1);
    names.config('a', [1]);
    expect(names.config('a', [1]).name).toBe('mm_s0');
    names.forget('a');
    for (let i = 0; i < 3; i++) expect(names.config('a', [1])).not.toHaveProperty('name');
    names.config('b', [1]);
    expect(names.config('b', [1])).not.toHaveProperty('name'); // the capacity of 1 was spent on 'a'
  });

  it("knows the error PostgreSQL gives when a prepared statement's columns changed", () => {
    expect(isStalePreparedStatement({ code: '0A000', message: 'cached plan must not change result type' })).toBe(true);
    expect(isStalePreparedStatement({ code: '0A000', message: 'FOR UPDATE is not allowed with aggregate functions' })).toBe(false);
    expect(isStalePreparedStatement(new Error('cached plan must not change result type'))).toBe(false);
    expect(isStalePreparedStatement(null)).toBe(false);
  });
});

describe('takeStatementCacheCapacity', () => {
  it('reads and removes the parameter, leaving the DataSource as it was otherwise', () => {
    expect(takeStatementCacheCapacity('postgres://u:p@db:5432/mm?sslmode=disable')).toEqual({ url: 'postgres://u:p@db:5432/mm?sslmode=disable' });
    expect(takeStatementCacheCapacity('postgres://u:p@db:5432/mm?sslmode=disable&statement_cache_capacity=0')).toEqual({
      url: 'postgres://u:p@db:5432/mm?sslmode=disable',
      capacity: 0,
    });
  });

  it('refuses a value that is not a whole number', () => {
    expect(() => takeStatementCacheCapacity('postgres://db/mm?statement_cache_capacity=lots')).toThrow(/statement_cache_capacity must be a whole number/);
    expect(() => takeStatementCacheCapacity('postgres://db/mm?statement_cache_capacity=-1')).toThrow(/whole number/);
  });
});
