import { describe, expect, it } from 'vitest';
import { initialTyping, typingExpired, typingMessage, typingUserIds, userStoppedTyping, userTyping } from './typing';

describe('typing', () => {
  it('shows who is typing in a channel or a thread until their time runs out', () => {
    let state = userTyping(initialTyping, 'c1', '', 'alice', 5000);
    state = userTyping(state, 'c1', 'root', 'bob', 6000);
    state = userTyping(state, 'c1', '', 'carol', 7000);
    expect(typingUserIds(state, 'c1')).toEqual(['alice', 'carol']);
    expect(typingUserIds(state, 'c1', 'root')).toEqual(['bob']);
    state = typingExpired(state, 5500);
    expect(typingUserIds(state, 'c1')).toEqual(['carol']);
    expect(typingExpired(state, 5500)).toBe(state);
  });

  it('extends the notice with every event', () => {
    let state = userTyping(initialTyping, 'c1', '', 'alice', 5000);
    state = userTyping(state, 'c1', '', 'alice', 9000);
    expect(typingUserIds(typingExpired(state, 6000), 'c1')).toEqual(['alice']);
  });

  it('ends it when their post arrives, in the channel and the post’s thread', () => {
    let state = userTyping(initialTyping, 'c1', '', 'alice', 5000);
    state = userTyping(state, 'c1', 'root', 'alice', 5000);
    state = userTyping(state, 'c1', '', 'bob', 5000);
    state = userStoppedTyping(state, 'c1', 'root', 'alice');
    expect(typingUserIds(state, 'c1')).toEqual(['bob']);
    expect(typingUserIds(state, 'c1', 'root')).toEqual([]);
    expect(userStoppedTyping(state, 'c1', '', 'nobody')).toBe(state);
  });

  it('says it as Mattermost does', () => {
    expect(typingMessage([])).toBe('');
    expect(typingMessage(['alice'])).toBe('alice is typing…');
    expect(typingMessage(['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingMessage(['alice', 'bob', 'carol'])).toBe('alice, bob and carol are typing…');
    expect(typingMessage(['a', 'b', 'c', 'd'])).toBe('Several people are typing…');
  });
});
