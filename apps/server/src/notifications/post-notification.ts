import type { ChannelRow } from '../channels/channel.model.js';
import type { PostView } from '../posts/post.model.js';
import type { UserRow } from '../users/user.model.js';

/**
 * Why a recipient hears about a post (Mattermost's notification reasons): an explicit mention
 * (`@user`, a mention key, their first name), a channel-wide `@channel`/`@all` or `@here`, a DM,
 * a group message, a reply in a thread they follow with collapsed threads, or their notify prop
 * set to `all`.
 */
export type NotificationReason = 'mention' | 'channel' | 'here' | 'dm' | 'gm' | 'thread' | 'all';

/**
 * One recipient's notification of one post: what the engine (notifications area) hands to the
 * delivery channels, push and email, once it has decided that this recipient gets it there.
 */
export interface PostNotification {
  post: PostView;
  channel: ChannelRow;
  /** The channel's team; null for DMs and group messages. */
  team: { id: string; name: string; display_name: string } | null;
  sender: UserRow;
  /** The sender as the recipient should read it (TeammateNameDisplay), or a webhook's override name. */
  senderName: string;
  recipient: UserRow;
  reason: NotificationReason;
  /** The recipient was mentioned by name (`@user`, a mention key, the first name), or it is a DM. */
  explicitMention: boolean;
  /** `@channel`, `@all` or `@here` reached the recipient. */
  channelWideMention: boolean;
  /**
   * Why a reply reached a recipient who was not mentioned (Mattermost's replyToThreadType): their
   * `comments` prop (`root`: threads they started, `any`: threads they took part in), `CRT` (a
   * thread they follow with collapsed threads on), `all` (a CRT thread they follow with push or
   * desktop at `all`); '' for everything else.
   */
  replyToThreadType: '' | 'root' | 'any' | 'CRT' | 'all';
  /** Collapsed reply threads are on for the recipient (replies are thread notifications). */
  collapsedThreads: boolean;
  /** The channel as notifications name it (notificationChannelName: `@sender` for a DM, the members for a GM). */
  channelName: string;
}
