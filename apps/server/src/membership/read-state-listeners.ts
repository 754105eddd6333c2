import { Injectable, Logger } from '@nestjs/common';

/** A channel a user just read, with its state from before (what decides whether their devices hear of it). */
export interface ViewedChannel {
  channelId: string;
  /** The member's mention count before the view. */
  mentionsBefore: number;
  /** Messages the member had not read before the view (the channel's total minus theirs). */
  unreadBefore: number;
  /** The member's `push` notify prop ('default' or '' follows the user's). */
  memberPush: string;
  /** The user's `push` notify prop. */
  userPush: string;
}

/** A change of what a user has read, made by one of their sessions. */
export type ReadStateChange =
  /** Channels viewed (POST /channels/members/{id}/view). */
  | { kind: 'channels_viewed'; userId: string; sessionId: string; channels: ViewedChannel[] }
  /** A thread read up to a time (PUT …/threads/{id}/read/{ts}, POST …/set_unread/{post}). */
  | { kind: 'thread_read'; userId: string; sessionId: string; channelId: string; threadId: string; unreadReplies: number }
  /** A channel marked unread from a post (POST /users/{id}/posts/{post}/set_unread). */
  | { kind: 'marked_unread'; userId: string; sessionId: string; channelId: string };

export type ReadStateListener = (change: ReadStateChange) => void;

/**
 * Who hears that a user read (or unread) something, after it is stored: the push area, which
 * clears the notifications on the user's other devices and updates their badge (Mattermost's
 * clearPushNotification and UpdateMobileAppBadge). The channels, threads and posts areas tell;
 * the listeners register themselves, so none of those areas imports them. A listener must only
 * queue its work: it runs on the request's path.
 */
@Injectable()
export class ReadStateListeners {
  private readonly log = new Logger('read-state');
  private readonly listeners: ReadStateListener[] = [];

  add(listener: ReadStateListener): void {
    this.listeners.push(listener);
  }

  /** Tells every listener; a failure is logged, never thrown. */
  notify(change: ReadStateChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.log.error(`${change.kind} of ${change.userId}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
