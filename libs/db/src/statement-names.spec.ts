import { describe, expect, it } from 'vitest';
import { StatementNames, takeStatementCacheCapacity } from './statement-names.js';

describe('StatementNames', () => {
  it('names a text the second time it is seen, and keeps the name', () => {
    const names = new StatementNames(10);
    expect(names.config('SELECT 1', [])).toEqual({ text: 'SELECT 1', values: [] });
    const second = names.config('SELECT 1', []);
    expect(second.name).toMatch(/^mm_s\d+$/);
    expect(names.config('SELECT 1', [2]).name).toBe(second.name);
    expect(names.config('SELECT 2', [])).not.toHaveProperty('name');
    expect(names.config('SELECT 2', []).name).not.toBe(second.name);
    expect(names.size).toBe(2);
  });

  it('names no more texts than its capacity; the others run unnamed', () => {
    const names = new StatementNames(2);
    for (const text of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) names.config(text, []);
    expect(names.size).toBe(2);
    expect(names.config('c', [])).not.toHaveProperty('name');
    expect(names.config('a', []).name).toBeDefined();
    const none = new StatementNames(0);
    none.config('a', []);
    expect(none.config('a', [])).not.toHaveProperty('name');
  });

  it('forgets texts seen once when too many wait, so one-off texts hold no memory', () => {
    const names = new StatementNames(1);
    names.config('hot', []);
    for (let i = 0; i < 4; i++) names.config(`once ${i}`, []); // the fifth text seen once clears the waiting set
    expect(names.config('hot', [])).not.toHaveProperty('name');
    expect(names.config('hot', []).name).toBeDefined();
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
