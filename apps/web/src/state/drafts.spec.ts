import type { Draft as ServerDraft } from '@mattermost/types/drafts';
import { describe, expect, it } from 'vitest';
import { draftChanged, draftKey, draftMessage, initialDrafts, parseDrafts, receivedServerDrafts, restoredLocal, serializeDrafts } from './drafts';

const server = (channel_id: string, message: string, update_at: number, root_id = '') =>
  ({ channel_id, root_id, message, update_at, delete_at: 0 }) as ServerDraft;

describe('drafts', () => {
  it('keys drafts by channel, and by thread for replies', () => {
    expect(draftKey('c1')).toBe('c1');
    expect(draftKey('c1', 'r1')).toBe('c1:r1');
  });

  it('keeps what was typed, and an emptied draft as a tombstone with its time', () => {
    let s = draftChanged(initialDrafts, 'c1', 'hello', 10);
    expect(draftMessage(s, 'c1')).toBe('hello');
    expect(draftChanged(s, 'c1', 'hello', 20)).toBe(s);
    s = draftChanged(s, 'c1', '', 30);
    expect(s.byKey.c1).toEqual({ message: '', updateAt: 30 });
    expect(draftMessage(s, 'nope')).toBe('');
  });

  it("merges the server's drafts, the newer copy winning both ways", () => {
    let s = draftChanged(initialDrafts, 'c1', 'local newer', 100);
    s = draftChanged(s, 'c2', '', 100); // sent here after the server saved it
    s = receivedServerDrafts(s, 't1', [server('c1', 'server older', 50), server('c2', 'stale', 60), server('c3', 'from my phone', 70, 'r1')]);
    expect(draftMessage(s, 'c1')).toBe('local newer');
    expect(draftMessage(s, 'c2')).toBe('');
    expect(draftMessage(s, 'c3:r1')).toBe('from my phone');
    expect(s.syncedTeams).toEqual(['t1']);
    expect(receivedServerDrafts(s, 't1', []).syncedTeams).toEqual(['t1']);
  });

  it("restores the browser's drafts for a user", () => {
    const s = restoredLocal(draftChanged(initialDrafts, 'c1', 'newer', 20), 'u1', {
      c1: { message: 'older', updateAt: 10 },
      c2: { message: 'kept', updateAt: 5 },
    });
    expect(s.localUser).toBe('u1');
    expect(draftMessage(s, 'c1')).toBe('newer');
    expect(draftMessage(s, 'c2')).toBe('kept');
  });

  it('stores drafts and recent tombstones, and reads back only well-formed ones', () => {
    const day = 24 * 60 * 60 * 1000;
    const text = serializeDrafts({ a: { message: 'x', updateAt: 1 }, b: { message: '', updateAt: 2 * day }, c: { message: '', updateAt: 1 } }, 2 * day + 5);
    expect(parseDrafts(text)).toEqual({ a: { message: 'x', updateAt: 1 }, b: { message: '', updateAt: 2 * day } });
    expect(parseDrafts('not json')).toEqual({});
    expect(parseDrafts('[1]')).toEqual({});
    expect(parseDrafts('{"a":{"message":1,"updateAt":2},"b":null}')).toEqual({});
    expect(parseDrafts(null)).toEqual({});
  });
});
