import type { PostView } from '../posts/post.model.js';

/** A thread_memberships row (model.ThreadMembership). */
export interface ThreadMembershipRow {
  post_id: string;
  user_id: string;
  following: boolean;
  last_viewed: number;
  last_updated: number;
  unread_mentions: number;
}

/** A followed thread as the list reads it: the threads row, the membership and the unread reply count. */
export interface UserThreadRow {
  post_id: string;
  channel_id: string;
  reply_count: number;
  last_reply_at: number;
  participants: string[];
  thread_delete_at: number;
  last_viewed: number;
  unread_mentions: number;
  unread_replies: number;
}

/** GET /users/{u}/teams/{t}/threads options (model.GetUserThreadsOpts). */
export interface UserThreadsQuery {
  /** Most threads in a page (30 when the client gives none, as the store). */
  pageSize: number;
  extended: boolean;
  deleted: boolean;
  /** Memberships changed at or after this time (mobile sync); 0 = all. */
  since: number;
  /** Thread id cursors: threads with an older (before) or newer (after) last reply. */
  before: string;
  after: string;
  unread: boolean;
  totalsOnly: boolean;
  threadsOnly: boolean;
}

/** The team-wide totals of a user's followed threads. */
export interface ThreadTotals {
  total: number;
  total_unread_threads: number;
  total_unread_mentions: number;
  total_unread_urgent_mentions: number;
}

/** model.ThreadResponse, as clients receive it. */
export interface UserThreadView {
  id: string;
  reply_count: number;
  last_reply_at: number;
  last_viewed_at: number;
  participants: unknown[];
  post: PostView | null;
  unread_replies: number;
  unread_mentions: number;
  is_urgent: boolean;
  delete_at: number;
}

/** model.Threads. */
export interface UserThreadsView {
  total: number;
  total_unread_threads: number;
  total_unread_mentions: number;
  total_unread_urgent_mentions: number;
  threads: UserThreadView[];
}

/** Participants as the store resolves them: whole users when extended, else `{id}` only; unknown ids drop out when extended. */
export function participantsOf(ids: string[], users: Map<string, unknown> | null): unknown[] {
  if (!users) return ids.map((id) => ({ id }));
  return ids.flatMap((id) => (users.has(id) ? [users.get(id)] : []));
}

export function toUserThreadView(row: UserThreadRow, post: PostView | null, participants: unknown[]): UserThreadView {
  return {
    id: row.post_id,
    reply_count: row.reply_count,
    last_reply_at: row.last_reply_at,
    last_viewed_at: row.last_viewed,
    participants,
    post,
    unread_replies: row.unread_replies,
    unread_mentions: row.unread_mentions,
    // A thread is urgent when its root was posted with the urgent priority.
    is_urgent: post?.metadata?.priority?.priority === 'urgent',
    delete_at: row.thread_delete_at,
  };
}
