/**
 * The push messages Mattermost builds (app/notification_push.go): the message for a post under
 * each PushNotificationContents, the `clear` and `update_badge` messages, the expired-session
 * and test messages. Pure functions; the badge and the per-device fields are added on sending.
 * Texts are Mattermost's English ones (its i18n ids are named beside them): this server has no
 * other locale.
 */
import type { ChannelRow } from '../channels/channel.model.js';
import type { PostNotification } from '../notifications/post-notification.js';
import type { PostRow } from '../posts/post.model.js';
import { markdownToPlainText } from './markdown-text.js';
import { CATEGORY_CAN_REPLY, emptyPush, PUSH_MESSAGE_V2, PushContents, PushNotification } from './push-notification.js';

export const PUSH_TEXT = {
  /** api.post.send_notifications_and_forget.push_image_only */
  imageOnly: ' attached a file.',
  /** api.post.send_notifications_and_forget.push_message */
  dmMessage: 'sent you a message.',
  /** api.post.send_notification_and_forget.push_channel_mention */
  channelMention: ' notified the channel.',
  /** api.post.send_notifications_and_forget.push_explicit_mention */
  explicitMention: ' mentioned you.',
  /** api.post.send_notification_and_forget.push_comment_on_post */
  commentOnPost: ' commented on your post.',
  /** api.post.send_notification_and_forget.push_comment_on_thread */
  commentOnThread: ' commented on a thread you participated in.',
  /** api.post.send_notification_and_forget.push_comment_on_crt_thread */
  replyInFollowedThread: " replied to a thread you're following.",
  /** api.post.send_notification_and_forget.push_comment_on_crt_thread_dm */
  replyInDmThread: ' replied to a thread.',
  /** api.post.send_notifications_and_forget.push_general_message */
  generalMessage: ' posted a message.',
  /** api.push_notification.id_loaded.default_message */
  idLoaded: "You've received a new message.",
  /** api.push_notification.title.collapsed_threads */
  replyIn: (channelName: string) => `Reply in ${channelName}`,
  /** api.push_notification.title.collapsed_threads_dm */
  replyInDm: 'Reply in Direct Message',
  /** api.push_notifications.session.expired */
  sessionExpired: (siteName: string, hours: number) =>
    `Session Expired: Please log in to continue receiving notifications. Sessions for ${siteName} are configured by your System Administrator to expire every ${hours} hour(s).`,
} as const;

/** What of a post a push reads (a PostView from the engine, or a stored PostRow for an ack's answer). */
export type PushPost = Pick<PostRow, 'id' | 'user_id' | 'channel_id' | 'root_id' | 'message' | 'props' | 'file_ids'>;

/** One recipient's notification of a post: PostNotification's fields a push needs. */
export interface PushPostInput extends Pick<
  PostNotification,
  'senderName' | 'channelName' | 'explicitMention' | 'channelWideMention' | 'replyToThreadType' | 'collapsedThreads'
> {
  post: PushPost;
  channel: Pick<ChannelRow, 'id' | 'team_id' | 'type'>;
}

/** The settings a post's push depends on. */
export interface PushBuildSettings {
  contents: PushContents;
  /** ServiceSettings.EnablePostUsernameOverride / EnablePostIconOverride: may a webhook's props rename the sender. */
  usernameOverride: boolean;
  iconOverride: boolean;
}

/** BuildPushNotificationMessage without the badge: the id-only message for id_loaded, the full/generic one otherwise. */
export function buildPostPush(n: PushPostInput, settings: PushBuildSettings): PushNotification {
  return settings.contents === 'id_loaded' ? buildIdLoadedPush(n) : buildFullPush(n, settings);
}

/**
 * buildIdLoadedPushNotificationMessage: ids only, and a generic text; the app asks for the rest
 * in its ack. (Mattermost puts the recipient's id in sender_id here, surely by mistake: this is
 * the post's author, as in every other message.)
 */
export function buildIdLoadedPush(n: PushPostInput): PushNotification {
  return emptyPush({
    post_id: n.post.id,
    channel_id: n.post.channel_id,
    root_id: n.post.root_id,
    is_crt_enabled: n.collapsedThreads,
    category: CATEGORY_CAN_REPLY,
    version: PUSH_MESSAGE_V2,
    team_id: n.channel.team_id,
    type: 'message',
    is_id_loaded: true,
    sender_id: n.post.user_id,
    message: PUSH_TEXT.idLoaded,
  });
}

/** buildFullPushNotificationMessage: for `full`, `generic` and `generic_no_channel`. */
export function buildFullPush(n: PushPostInput, settings: PushBuildSettings): PushNotification {
  const { post, channel } = n;
  const isDm = channel.type === 'D';
  const msg = emptyPush({
    category: CATEGORY_CAN_REPLY,
    version: PUSH_MESSAGE_V2,
    type: 'message',
    team_id: channel.team_id,
    channel_id: channel.id,
    post_id: post.id,
    root_id: post.root_id,
    sender_id: post.user_id,
  });
  // generic_no_channel hides where a message was posted, except that a DM is its sender.
  if (settings.contents !== 'generic_no_channel' || isDm) msg.channel_name = n.channelName;
  if (n.collapsedThreads) {
    msg.is_crt_enabled = true;
    // A reply is titled as a thread reply when collapsed threads are on.
    if (post.root_id !== '' && settings.contents !== 'generic_no_channel') {
      msg.channel_name = isDm ? PUSH_TEXT.replyInDm : PUSH_TEXT.replyIn(n.channelName);
    }
  }
  msg.sender_name = n.senderName;
  const props = post.props ?? {};
  if (typeof props.override_username === 'string' && settings.usernameOverride) {
    msg.override_username = props.override_username;
    msg.sender_name = props.override_username;
  }
  if (typeof props.override_icon_url === 'string' && settings.iconOverride) msg.override_icon_url = props.override_icon_url;
  if (typeof props.from_webhook === 'string') msg.from_webhook = props.from_webhook;
  msg.message = pushText({
    contents: settings.contents,
    text: postText(post),
    hasFiles: (post.file_ids ?? []).length > 0,
    senderName: msg.sender_name,
    channelType: channel.type,
    explicitMention: n.explicitMention,
    channelWideMention: n.channelWideMention,
    replyToThreadType: n.replyToThreadType,
  });
  return msg;
}

/** The post's text for a push: its Markdown as plain text, then each attachment's fallback on its own line. */
export function postText(post: Pick<PushPost, 'message' | 'props'>): string {
  let text = markdownToPlainText(post.message);
  const attachments = post.props?.attachments;
  if (Array.isArray(attachments)) {
    for (const a of attachments) {
      const fallback = a && typeof a === 'object' ? (a as { fallback?: unknown }).fallback : undefined;
      if (typeof fallback === 'string' && fallback !== '') text += '\n' + fallback;
    }
  }
  return text;
}

/** model.ClearMentionTags: the <mention> markers some integrations leave in a message. */
export function clearMentionTags(text: string): string {
  return text.replaceAll('<mention>', '').replaceAll('</mention>', '');
}

export interface PushTextInput {
  contents: PushContents;
  text: string;
  hasFiles: boolean;
  senderName: string;
  channelType: string;
  explicitMention: boolean;
  channelWideMention: boolean;
  replyToThreadType: PushPostInput['replyToThreadType'];
}

/**
 * getPushNotificationMessage: with `full`, the text (after "sender: " outside DMs); otherwise
 * who did what, by the most specific reason: a thread followed with collapsed threads, a
 * channel-wide mention, a mention, a reply to one's post or thread, then a plain post. A post of
 * files only says so in every mode.
 */
export function pushText(i: PushTextInput): string {
  const isDm = i.channelType === 'D';
  const crtReply = i.replyToThreadType === 'CRT';
  if (i.text === '' && i.hasFiles) return isDm ? PUSH_TEXT.imageOnly.trim() : i.senderName + PUSH_TEXT.imageOnly;
  if (i.contents === 'full') {
    if (isDm && !crtReply) return clearMentionTags(i.text);
    return `${i.senderName}: ${clearMentionTags(i.text)}`;
  }
  if (isDm) {
    if (!crtReply) return PUSH_TEXT.dmMessage;
    return i.senderName + (i.contents === 'generic_no_channel' ? PUSH_TEXT.replyInFollowedThread : PUSH_TEXT.replyInDmThread);
  }
  if (crtReply) return i.senderName + PUSH_TEXT.replyInFollowedThread;
  if (i.channelWideMention) return i.senderName + PUSH_TEXT.channelMention;
  if (i.explicitMention) return i.senderName + PUSH_TEXT.explicitMention;
  if (i.replyToThreadType === 'root') return i.senderName + PUSH_TEXT.commentOnPost;
  if (i.replyToThreadType === 'any') return i.senderName + PUSH_TEXT.commentOnThread;
  if (i.replyToThreadType === 'all') return i.senderName + PUSH_TEXT.replyInFollowedThread;
  return i.senderName + PUSH_TEXT.generalMessage;
}

/** clearPushNotificationSync: the channel (or, with root_id, the thread) was read; the badge is the new count. */
export function buildClearPush(channelId: string, rootId: string, badge: number, collapsedThreads: boolean): PushNotification {
  return emptyPush({ type: 'clear', version: PUSH_MESSAGE_V2, channel_id: channelId, root_id: rootId, cont_ava: 1, badge, is_crt_enabled: collapsedThreads });
}

/** updateMobileAppBadgeSync: a silent message with the new badge. */
export function buildUpdateBadgePush(badge: number): PushNotification {
  return emptyPush({ type: 'update_badge', version: PUSH_MESSAGE_V2, sound: 'none', cont_ava: 1, badge });
}

/** NotifySessionsExpired: tells a device its session is over. */
export function buildSessionExpiredPush(siteName: string, mobileSessionHours: number): PushNotification {
  return emptyPush({ type: 'session', version: PUSH_MESSAGE_V2, message: PUSH_TEXT.sessionExpired(siteName, mobileSessionHours) });
}

/** SendTestPushNotification: version "2" (not "v2") and badge -1, as Mattermost sends them. */
export function buildTestPush(): PushNotification {
  return emptyPush({ type: 'test', version: '2', badge: -1 });
}
