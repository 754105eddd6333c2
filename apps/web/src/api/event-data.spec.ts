import { describe, expect, it } from 'vitest';
import { eventIds, eventJson } from './event-data';

describe('socket event data', () => {
  it('reads JSON text, and nothing from other values or broken text', () => {
    expect(eventJson<{ id: string }>('{"id":"p1"}')).toEqual({ id: 'p1' });
    expect(eventJson({ id: 'p1' })).toBeUndefined();
    expect(eventJson('{broken')).toBeUndefined();
  });

  it('reads a list of ids, keeping only strings', () => {
    expect(eventIds('["a","b",3]')).toEqual(['a', 'b']);
    expect(eventIds('{"a":1}')).toEqual([]);
    expect(eventIds(undefined)).toEqual([]);
  });
});
