/**
 * Availability and custom status: one's own (PUT /users/me/status, PUT|DELETE
 * /users/me/status/custom) and everyone else's on screen (POST /users/status/ids, asked again
 * every POLL_MS while the team view is open, since the server tells only the user of their own
 * `status_change`).
 */
import type { UserCustomStatus, UserProfile } from '@mattermost/types/users';
import { client } from '../api/client';
import { currentUserId } from '../state/session';
import { receivedStatuses, type Availability } from '../state/status';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';

/** How often the statuses of the people the app knows are asked again (Mattermost's web app: every minute). */
export const POLL_MS = 30_000;
/** At most this many people per call (the server's limit for status/ids is higher; this keeps requests small). */
const BATCH = 200;

/** Asks for the statuses of these people. */
export async function loadStatuses(ids: string[]): Promise<void> {
  const unique = [...new Set(ids.filter(Boolean))];
  for (let i = 0; i < unique.length; i += BATCH) {
    const statuses = await client.getStatusesByIds(unique.slice(i, i + BATCH));
    update('status', (s) => receivedStatuses(s, statuses));
  }
}

/** Keeps the statuses of everyone the app knows (oneself, DM partners, authors) fresh; returns the stop function. */
export function watchStatuses(): () => void {
  const poll = () => void loadStatuses(Object.keys(store.get().users.profiles)).catch(() => undefined);
  poll();
  const timer = setInterval(poll, POLL_MS);
  // New people (a DM partner, a new author) get their status without waiting for the next round.
  let known = Object.keys(store.get().users.profiles).length;
  const stop = store.subscribe(() => {
    const count = Object.keys(store.get().users.profiles).length;
    if (count <= known) return;
    known = count;
    const missing = Object.keys(store.get().users.profiles).filter((id) => !store.get().status.byUserId[id]);
    if (missing.length > 0) void loadStatuses(missing).catch(() => undefined);
  });
  return () => {
    clearInterval(timer);
    stop();
  };
}

/** Sets one's own availability, as chosen (manual: it holds until changed, as Mattermost's status menu sets it). */
export async function setMyStatus(status: Availability): Promise<void> {
  const userId = currentUserId(store.get().session);
  const answer = await client.updateStatus({ user_id: userId, status, manual: true });
  update('status', (s) => receivedStatuses(s, [answer ?? { user_id: userId, status }]));
}

/** Sets one's custom status (an emoji name, a text, and when it ends: 0 for never). */
export async function setCustomStatus(emoji: string, text: string, duration: string, expiresAt: number): Promise<void> {
  const status = { emoji, text: text.trim(), duration, ...(expiresAt ? { expires_at: new Date(expiresAt).toISOString() } : {}) } as UserCustomStatus;
  await client.updateCustomStatus(status);
  await refreshMe();
}

export async function clearCustomStatus(): Promise<void> {
  await client.unsetCustomStatus();
  await refreshMe();
}

/** The signed-in user's profile again (the custom status is in its props); `user_updated` would bring it too. */
async function refreshMe(): Promise<void> {
  const me: UserProfile = await client.getMe();
  update('users', (s) => receivedProfiles(s, [me]));
}

/** `status_change` (one's own) and `user_updated` (anyone's profile, custom status included). */
export function statusChanged(userId: string, status: string): void {
  if (userId) update('status', (s) => receivedStatuses(s, [{ user_id: userId, status }]));
}

export function userUpdated(user: UserProfile | undefined): void {
  if (user?.id) update('users', (s) => receivedProfiles(s, [user]));
}
