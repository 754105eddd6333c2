/**
 * Threads: whether collapsed reply threads (CRT) are on for the user, the thread open in the
 * right-hand panel, and the threads the user follows per team (GET /users/me/teams/{t}/threads,
 * kept live by thread_updated, thread_read_changed and thread_follow_changed). A thread's posts
 * live in the posts slice (posts.threadPosts); a followed thread's root too — this slice keeps
 * the user's side of it (unread replies and mentions, following).
 */
import type { UserThread } from '@mattermost/types/threads';

export interface ThreadsState {
  /** Collapsed reply threads are on: replies stay out of channels and are read in threads. */
  collapsed: boolean;
  /** Whether `collapsed` has been worked out since sign-in (the full client config and the preference). */
  settled: boolean;
  /** The root post of the thread open in the channel view's right-hand panel ('' when none). */
  openRootId: string;
  /** The user's threads by root id, without their posts. */
  byId: Record<string, UserThread>;
  /** The followed threads per team id, the latest reply first (absent: not loaded). */
  byTeam: Record<string, string[]>;
}

export const initialThreads: ThreadsState = { collapsed: false, settled: false, openRootId: '', byId: {}, byTeam: {} };

/**
 * Whether CRT is on, as Mattermost decides it: ServiceSettings.CollapsedThreads `always_on`, or
 * `default_on` unless the user's collapsed_reply_threads preference is "off", or `default_off`
 * when it is "on"; never when `disabled`.
 */
export function collapsedThreadsOn(setting: string | undefined, preference: string | undefined): boolean {
  switch (setting) {
    case 'always_on':
      return true;
    case 'default_on':
      return preference !== 'off';
    case 'default_off':
      return preference === 'on';
    default:
      return false;
  }
}

export const collapsedThreadsSettled = (state: ThreadsState, collapsed: boolean): ThreadsState => ({ ...state, collapsed, settled: true });

export const threadOpened = (state: ThreadsState, rootId: string): ThreadsState => (state.openRootId === rootId ? state : { ...state, openRootId: rootId });

export const threadClosed = (state: ThreadsState): ThreadsState => (state.openRootId ? { ...state, openRootId: '' } : state);

/** Keeps the user's side of a thread; its post (in posts) is left out. */
function stripped(thread: UserThread): UserThread {
  const { post, ...rest } = thread;
  return { ...rest, post: { channel_id: post.channel_id, user_id: post.user_id } };
}

const byLatestReply = (byId: Record<string, UserThread>) => (a: string, b: string) => (byId[b]?.last_reply_at ?? 0) - (byId[a]?.last_reply_at ?? 0);

/** A team's followed threads (the first page the list shows): replaces the team's list. */
export function receivedUserThreads(state: ThreadsState, teamId: string, threads: UserThread[]): ThreadsState {
  const byId = { ...state.byId };
  for (const t of threads) byId[t.id] = stripped(t);
  const ids = threads.filter((t) => t.is_following !== false).map((t) => t.id);
  return { ...state, byId, byTeam: { ...state.byTeam, [teamId]: ids.sort(byLatestReply(byId)) } };
}

/**
 * One thread changed (thread_updated on a new reply, or the answer to marking it read): stored,
 * and in a loaded team list put in its place by its latest reply — or taken off when unfollowed.
 */
export function threadUpdated(state: ThreadsState, teamId: string, thread: UserThread): ThreadsState {
  const byId = { ...state.byId, [thread.id]: stripped(thread) };
  const list = state.byTeam[teamId];
  if (!list) return { ...state, byId };
  const others = list.filter((id) => id !== thread.id);
  const ids = thread.is_following === false ? others : [...others, thread.id].sort(byLatestReply(byId));
  return { ...state, byId, byTeam: { ...state.byTeam, [teamId]: ids } };
}

/** thread_read_changed for one thread: its unread counts and when it was read. */
export function threadReadChanged(
  state: ThreadsState,
  threadId: string,
  read: { unread_replies: number; unread_mentions: number; last_viewed_at: number },
): ThreadsState {
  const thread = state.byId[threadId];
  if (!thread) return state;
  return { ...state, byId: { ...state.byId, [threadId]: { ...thread, ...read } } };
}

/** thread_read_changed without a thread (PUT …/threads/read): every thread of the team is read. */
export function teamThreadsRead(state: ThreadsState, teamId: string, at: number): ThreadsState {
  const ids = state.byTeam[teamId] ?? [];
  if (ids.length === 0) return state;
  const byId = { ...state.byId };
  for (const id of ids) {
    const thread = byId[id];
    if (thread) byId[id] = { ...thread, unread_replies: 0, unread_mentions: 0, last_viewed_at: at };
  }
  return { ...state, byId };
}

/** thread_follow_changed: an unfollowed thread leaves the team's list (a followed one comes with its next update or load). */
export function threadFollowChanged(state: ThreadsState, teamId: string, threadId: string, following: boolean): ThreadsState {
  const thread = state.byId[threadId];
  const byId = thread ? { ...state.byId, [threadId]: { ...thread, is_following: following } } : state.byId;
  const list = state.byTeam[teamId];
  if (!list || following) return { ...state, byId };
  return { ...state, byId, byTeam: { ...state.byTeam, [teamId]: list.filter((id) => id !== threadId) } };
}

/** The team's followed threads in order (undefined: not loaded). */
export function teamThreads(state: ThreadsState, teamId: string): UserThread[] | undefined {
  return state.byTeam[teamId]?.map((id) => state.byId[id]).filter((t): t is UserThread => !!t);
}

/** How many of the team's followed threads have unread replies (the sidebar's Threads marker). */
export function unreadThreadCount(state: ThreadsState, teamId: string): number {
  return (teamThreads(state, teamId) ?? []).filter((t) => t.unread_replies > 0 || t.unread_mentions > 0).length;
}
