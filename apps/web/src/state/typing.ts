/**
 * Who is typing where ("alice is typing…"): per channel and thread (parent post, '' for the
 * channel itself), each typist until a time — every `typing` event extends it, their post or the
 * time running out ends it (Mattermost shows the notice for TimeBetweenUserTypingUpdatesMilliseconds).
 */
export interface TypingState {
  /** typingKey(channel, parent) → user id → when the notice ends (ms since the epoch). */
  byKey: Record<string, Record<string, number>>;
}

export const initialTyping: TypingState = { byKey: {} };

export const typingKey = (channelId: string, parentId = ''): string => `${channelId}:${parentId}`;

export function userTyping(state: TypingState, channelId: string, parentId: string, userId: string, until: number): TypingState {
  const key = typingKey(channelId, parentId);
  return { byKey: { ...state.byKey, [key]: { ...state.byKey[key], [userId]: until } } };
}

/** Their post arrived: they stopped typing (in the channel and in that post's thread). */
export function userStoppedTyping(state: TypingState, channelId: string, parentId: string, userId: string): TypingState {
  let byKey = state.byKey;
  for (const key of new Set([typingKey(channelId, ''), typingKey(channelId, parentId)])) {
    const typists = byKey[key];
    if (!typists || !(userId in typists)) continue;
    const rest = { ...typists };
    delete rest[userId];
    byKey = { ...byKey, [key]: rest };
  }
  return byKey === state.byKey ? state : { byKey };
}

/** Notices whose time has run out go (the same state when none has). */
export function typingExpired(state: TypingState, now: number): TypingState {
  let byKey = state.byKey;
  for (const [key, typists] of Object.entries(state.byKey)) {
    const live = Object.entries(typists).filter(([, until]) => until > now);
    if (live.length !== Object.keys(typists).length) byKey = { ...byKey, [key]: Object.fromEntries(live) };
  }
  return byKey === state.byKey ? state : { byKey };
}

/** Who is typing in a channel or thread, in the order they started. */
export function typingUserIds(state: TypingState, channelId: string, parentId = ''): string[] {
  return Object.keys(state.byKey[typingKey(channelId, parentId)] ?? {});
}

/** "alice is typing…", "alice and bob are typing…", "alice, bob and carol are typing…", "Several people are typing…" ('' for nobody). */
export function typingMessage(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length > 3) return 'Several people are typing…';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)} are typing…`;
}
