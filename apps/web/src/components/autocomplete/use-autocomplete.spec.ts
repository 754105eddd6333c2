import { describe, expect, it } from 'vitest';
import type { Suggestion } from './suggestion';
import { currentRows } from './use-autocomplete';

const row = (replacement: string): Suggestion => ({ key: replacement, replacement, primary: replacement.trim() });

describe('currentRows', () => {
  const result = { query: 'user:0:bo', items: [row('@bob '), row('@bobcat '), row('@here ')] };

  it('shows the answer to the current query as it is', () => {
    expect(currentRows(result, 'user:0:bo', '@bo')).toBe(result.items);
  });

  it('keeps, while the next answer is fetched, only the earlier rows that still fit', () => {
    expect(currentRows(result, 'user:0:bobc', '@bobc').map((r) => r.key)).toEqual(['@bobcat ']);
    const command = { query: 'command:0:/shrug it', items: [row('/shrug it ')] };
    expect(currentRows(command, 'command:0:/shrug it happens', '/shrug it happens')).toEqual([]);
  });

  it('shows nothing when nothing is being completed', () => {
    expect(currentRows(result, '', undefined)).toEqual([]);
  });
});
