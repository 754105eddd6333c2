/**
 * Threads: working out whether collapsed reply threads are on, the thread panel (its posts from
 * GET /posts/{id}/thread), the followed threads of a team (GET /users/me/teams/{t}/threads) and
 * marking one read, and the socket's thread events.
 */
import type { WebSocketMessage } from '@mattermost/client';
import type { PreferenceType } from '@mattermost/types/preferences';
import type { UserThread, UserThreadWithPost } from '@mattermost/types/threads';
import { client } from '../api/client';
import { receivedClientConfig, type ClientConfigMap } from '../state/config';
import { receivedPosts } from '../state/posts';
import { currentTeam } from '../state/selectors';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';
import { teamByName } from '../state/teams';
import {
  collapsedThreadsOn,
  collapsedThreadsSettled,
  receivedUserThreads,
  teamThreadsRead,
  threadClosed,
  threadFollowChanged,
  threadOpened,
  threadReadChanged,
  threadUpdated,
} from '../state/threads';
import { navigate } from './navigation';
import { loadPeopleOf } from './posts';
import { eventJson } from '../api/event-data';

/** How many followed threads the Threads view lists (its first page, as Mattermost's). */
const THREADS_PER_PAGE = 25;

/**
 * Whether CRT is on for the user, once per sign-in, before the first channel loads (the channel's
 * pages leave replies out when it is): ServiceSettings.CollapsedThreads from the full client
 * config (fetched here if the one after sign-in has not come yet) and, when the setting leaves it
 * to the user, their display_settings/collapsed_reply_threads preference.
 */
export async function settleCollapsedThreads(): Promise<void> {
  if (store.get().threads.settled) return;
  let config = store.get().config.client;
  if (config.CollapsedThreads === undefined) {
    config = (await client.getClientConfig()) as unknown as ClientConfigMap;
    const full = config;
    update('config', (s) => receivedClientConfig(s, full));
  }
  const setting = config.CollapsedThreads;
  let preference: string | undefined;
  if (setting === 'default_on' || setting === 'default_off') {
    const prefs = ((await client.getMyPreferences().catch(() => [])) ?? []) as unknown as PreferenceType[];
    preference = prefs.find((p) => p.category === 'display_settings' && p.name === 'collapsed_reply_threads')?.value;
  }
  update('threads', (s) => collapsedThreadsSettled(s, collapsedThreadsOn(setting, preference)));
}

/** Opens a thread: in the Threads view its own URL, elsewhere the channel view's right-hand panel. */
export function openThread(rootId: string): void {
  const route = store.get().route;
  if (route.screen === 'threads') navigate({ screen: 'threads', team: route.team, thread: rootId });
  else update('threads', (s) => threadOpened(s, rootId));
}

export function closeThread(): void {
  const route = store.get().route;
  if (route.screen === 'threads') navigate({ screen: 'threads', team: route.team, thread: '' });
  else update('threads', threadClosed);
}

/** A thread's root and every reply (GET /posts/{id}/thread), with their people. */
export async function loadThread(rootId: string): Promise<void> {
  const list = await client.getPaginatedPostThread(rootId, { fetchAll: true, collapsedThreads: store.get().threads.collapsed });
  update('posts', (s) => receivedPosts(s, Object.values(list.posts)));
  await loadPeopleOf(list);
}

/** The team's followed threads (with CRT on), their roots and people. */
export async function loadUserThreads(teamId: string): Promise<void> {
  if (!store.get().threads.collapsed) return;
  const list = await client.getUserThreads(currentUserId(store.get().session), teamId, { perPage: THREADS_PER_PAGE, extended: false });
  receivedThreadPosts(list.threads);
  update('threads', (s) => receivedUserThreads(s, teamId, list.threads));
}

/** The channel loader's follow-up: the team's threads for the sidebar's marker, once per team. */
export function loadTeamThreadsOnce(teamName: string): void {
  const team = teamByName(store.get().teams, teamName);
  if (!team || !store.get().threads.collapsed || store.get().threads.byTeam[team.id]) return;
  loadUserThreads(team.id).catch(() => undefined);
}

/**
 * The reader has a followed thread in front of them (the panel or the Threads view): it is read
 * up to now (PUT /users/me/teams/{t}/threads/{id}/read/{now}), as Mattermost does. Only threads
 * the user follows and has unread replies in: marking another would make them follow it.
 */
export async function markThreadRead(rootId: string): Promise<void> {
  const { threads } = store.get();
  const team = currentTeam(store.get());
  const thread = threads.byId[rootId];
  if (!threads.collapsed || !team || !thread || thread.is_following === false) return;
  if (thread.unread_replies === 0 && thread.unread_mentions === 0) return;
  const read = await client.updateThreadReadForUser(currentUserId(store.get().session), team.id, rootId, Date.now());
  update('threads', (s) => threadUpdated(s, team.id, { ...read, post: thread.post } as UserThread));
}

/** The roots that come with threads (in the list, and in thread_updated), kept in posts. */
function receivedThreadPosts(threads: UserThreadWithPost[]): void {
  const roots = threads.map((t) => t.post).filter((p) => !!p?.id);
  update('posts', (s) => receivedPosts(s, roots));
  loadPeopleOf({ posts: Object.fromEntries(roots.map((p) => [p.id, p])) }).catch(() => undefined);
}

/** Whether the reader is looking at this thread now (its panel is open, or the Threads view shows it). */
function threadInView(rootId: string): boolean {
  if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return false;
  const { route, threads } = store.get();
  return route.screen === 'threads' ? route.thread === rootId : threads.openRootId === rootId;
}

/** thread_updated: a followed thread has a new reply (the event carries the thread with its root). */
export function onThreadUpdated(data: Record<string, unknown>, msg: WebSocketMessage): void {
  const thread = eventJson<UserThreadWithPost>(data.thread);
  const teamId = msg.broadcast?.team_id || currentTeam(store.get())?.id || '';
  if (!thread || !teamId) return;
  receivedThreadPosts([thread]);
  update('threads', (s) => threadUpdated(s, teamId, thread));
  if (threadInView(thread.id)) markThreadRead(thread.id).catch(() => undefined);
}

/** thread_read_changed: one thread read (with its counts), or all of the team's (no thread_id). */
export function onThreadReadChanged(data: Record<string, unknown>, msg: WebSocketMessage): void {
  const threadId = typeof data.thread_id === 'string' ? data.thread_id : '';
  if (!threadId) {
    const teamId = msg.broadcast?.team_id ?? '';
    if (teamId) update('threads', (s) => teamThreadsRead(s, teamId, Date.now()));
    return;
  }
  update('threads', (s) =>
    threadReadChanged(s, threadId, {
      unread_replies: Number(data.unread_replies) || 0,
      unread_mentions: Number(data.unread_mentions) || 0,
      last_viewed_at: Number(data.timestamp) || Date.now(),
    }),
  );
}

export function onThreadFollowChanged(data: Record<string, unknown>, msg: WebSocketMessage): void {
  const threadId = typeof data.thread_id === 'string' ? data.thread_id : '';
  const teamId = msg.broadcast?.team_id ?? '';
  if (threadId && teamId) update('threads', (s) => threadFollowChanged(s, teamId, threadId, data.state === true));
}
