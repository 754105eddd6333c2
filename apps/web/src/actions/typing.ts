/**
 * Typing notices. Sending: `userTyping(channelId, parentId)` — what a composer calls as the person
 * types — sends `user_typing` on the socket at most every 2 seconds per channel and thread.
 * Receiving: the socket's `typing` event shows the typist for TimeBetweenUserTypingUpdatesMilliseconds
 * (5 s by default), until their post arrives.
 */
import type { WebSocketMessage } from '@mattermost/client';
import type { Post } from '@mattermost/types/posts';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { typingExpired, typingKey, userStoppedTyping, userTyping as typingStarted } from '../state/typing';
import { loadMissingProfiles } from './users';

/** At most one notice per channel and thread this often. */
export const TYPING_SEND_INTERVAL_MS = 2000;
/** How long a notice shows without another (ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds' default). */
const DEFAULT_TYPING_SHOW_MS = 5000;

type Sender = (channelId: string, parentId: string) => void;
let sender: Sender | undefined;
const lastSent = new Map<string, number>();

/** The socket's way to send `user_typing` (actions/socket.ts sets it when it connects). */
export function setTypingSender(send: Sender | undefined): void {
  sender = send;
  lastSent.clear();
}

/** The person is typing in a channel (or a thread: its root as parentId). */
export function userTyping(channelId: string, parentId = ''): void {
  const key = typingKey(channelId, parentId);
  const now = Date.now();
  if (!sender || now - (lastSent.get(key) ?? 0) < TYPING_SEND_INTERVAL_MS) return;
  lastSent.set(key, now);
  sender(channelId, parentId);
}

let expiry: ReturnType<typeof setTimeout> | undefined;

function showMs(): number {
  const configured = Number(store.get().config.client.TimeBetweenUserTypingUpdatesMilliseconds);
  return configured > 0 ? configured : DEFAULT_TYPING_SHOW_MS;
}

/** The socket's `typing`: someone else is typing in a channel of ours (the channel is the broadcast's). */
export function onTyping(data: Record<string, unknown>, msg: WebSocketMessage): void {
  const userId = typeof data.user_id === 'string' ? data.user_id : '';
  const channelId = msg.broadcast?.channel_id ?? '';
  const parentId = typeof data.parent_id === 'string' ? data.parent_id : '';
  if (!userId || !channelId || userId === currentUserId(store.get().session)) return;
  const ms = showMs();
  update('typing', (s) => typingStarted(s, channelId, parentId, userId, Date.now() + ms));
  loadMissingProfiles([userId]).catch(() => undefined);
  clearTimeout(expiry);
  expiry = setTimeout(expire, ms + 50);
}

function expire(): void {
  update('typing', (s) => typingExpired(s, Date.now()));
  // Notices that were extended end later: look again then.
  const next = Math.min(...Object.values(store.get().typing.byKey).flatMap((t) => Object.values(t)));
  if (Number.isFinite(next)) expiry = setTimeout(expire, Math.max(next - Date.now(), 0) + 50);
}

/** A post from someone who was typing: their notice ends. */
export function typingStoppedByPost(post: Pick<Post, 'channel_id' | 'root_id' | 'user_id'>): void {
  update('typing', (s) => userStoppedTyping(s, post.channel_id, post.root_id ?? '', post.user_id));
}
