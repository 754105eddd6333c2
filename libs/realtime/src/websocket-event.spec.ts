import { describe, expect, it } from 'vitest';
import { framePrefix, frameWithSeq, newEvent } from './websocket-event.js';

describe('newEvent', () => {
  it('fills every broadcast field, empty when not targeted', () => {
    expect(newEvent('typing', { channel_id: 'c1' }, { parent_id: '' })).toEqual({
      event: 'typing',
      data: { parent_id: '' },
      broadcast: { omit_users: null, user_id: '', channel_id: 'c1', team_id: '', connection_id: '', omit_connection_id: '' },
    });
  });

  it('keeps every given target field and defaults data to {}', () => {
    const e = newEvent('x', {
      omit_users: { u1: true },
      user_id: 'u',
      channel_id: 'c',
      team_id: 't',
      connection_id: 'k',
      omit_connection_id: 'o',
    });
    expect(e.data).toEqual({});
    expect(e.broadcast).toEqual({ omit_users: { u1: true }, user_id: 'u', channel_id: 'c', team_id: 't', connection_id: 'k', omit_connection_id: 'o' });
  });
});

describe('framePrefix / frameWithSeq', () => {
  const event = newEvent(
    'posted',
    { channel_id: 'c1', omit_users: { u2: true } },
    {
      post: JSON.stringify({ id: 'p1', message: 'hi "there" } {' }),
      nested: { a: [1, 2, { b: null }] },
      text: 'ends with 0}',
    },
  );

  it.each([0, 1, 9, 10, 42, 123456789])('produces valid JSON with seq %i', (seq) => {
    const frame = JSON.parse(frameWithSeq(framePrefix(event), seq));
    expect(frame).toEqual({ event: 'posted', data: event.data, broadcast: event.broadcast, seq });
  });

  it('puts seq last, the way Mattermost writes frames', () => {
    const frame = frameWithSeq(framePrefix(event), 7);
    expect(Object.keys(JSON.parse(frame))).toEqual(['event', 'data', 'broadcast', 'seq']);
    expect(frame.endsWith('"seq":7}')).toBe(true);
  });

  it('one prefix serves many sequence numbers', () => {
    const prefix = framePrefix(event);
    const seqs = [3, 4, 5].map((s) => JSON.parse(frameWithSeq(prefix, s)).seq);
    expect(seqs).toEqual([3, 4, 5]);
  });

  it('handles an event with empty data', () => {
    expect(JSON.parse(frameWithSeq(framePrefix(newEvent('hello', { user_id: 'u' })), 0))).toEqual({
      event: 'hello',
      data: {},
      broadcast: { omit_users: null, user_id: 'u', channel_id: '', team_id: '', connection_id: '', omit_connection_id: '' },
      seq: 0,
    });
  });
});
