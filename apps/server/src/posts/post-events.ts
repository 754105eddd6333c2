import { newEvent, WebSocketEvent, WsEvents } from '#realtime';
import type { ChannelRow } from '../channels/channel.model.js';
import { PostView } from './post.model.js';

/**
 * The WebSocket events of posts, with Mattermost's payload quirks: `post` and `mentions` are
 * JSON-encoded strings, not objects.
 */

export interface PostedContext {
  channel: Pick<ChannelRow, 'id' | 'type' | 'name' | 'display_name' | 'team_id'>;
  senderUsername: string;
  /** sender_name when it is not `@<username>`: a webhook's override username. */
  senderName?: string;
  /** Usernames of a group channel's members, for its display name. */
  memberUsernames: readonly string[];
  mentionedUserIds: string[];
  /** Thread followers with collapsed threads whom clients notify on the desktop (a reply's `followers`). */
  followers?: string[];
  setOnline: boolean;
}

/**
 * The channel name a notification shows (PostNotification.GetChannelName with usernames): the
 * sender for a DM, every member for a GM, the display name otherwise.
 */
export function notificationChannelName(ctx: Pick<PostedContext, 'channel' | 'senderUsername' | 'memberUsernames'>): string {
  if (ctx.channel.type === 'D') return `@${ctx.senderUsername}`;
  if (ctx.channel.type === 'G') return [...ctx.memberUsernames].sort().join(', ');
  return ctx.channel.display_name;
}

export function postedEvent(post: PostView, ctx: PostedContext): WebSocketEvent {
  const data: Record<string, unknown> = {
    channel_display_name: notificationChannelName(ctx),
    channel_name: ctx.channel.name,
    channel_type: ctx.channel.type,
    post: JSON.stringify(post),
    sender_name: ctx.senderName ?? `@${ctx.senderUsername}`,
    set_online: ctx.setOnline,
    team_id: ctx.channel.team_id,
  };
  if (ctx.mentionedUserIds.length > 0) data.mentions = JSON.stringify(ctx.mentionedUserIds);
  if (ctx.followers && ctx.followers.length > 0) data.followers = JSON.stringify(ctx.followers);
  return newEvent(WsEvents.Posted, { channel_id: post.channel_id }, data);
}

export function postEditedEvent(post: PostView): WebSocketEvent {
  return newEvent(WsEvents.PostEdited, { channel_id: post.channel_id }, { post: JSON.stringify(post) });
}

/** Mattermost adds `delete_by` only in a copy for admins; everyone gets this sanitized one. */
export function postDeletedEvent(post: PostView): WebSocketEvent {
  return newEvent(WsEvents.PostDeleted, { channel_id: post.channel_id }, { post: JSON.stringify(post) });
}
