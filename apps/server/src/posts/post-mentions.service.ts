import { Injectable, Logger } from '@nestjs/common';
import { RefreshingCache } from '#common';
import { ConfigService } from '#config';
import { InvalidationBus } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelMembersRepository, MentionMemberRow } from '../membership/channel-members.repository.js';
import type { Session } from '../common/session.js';
import { CollapsedThreads } from '../threads/collapsed-threads.js';
import { findMentions, type MentionMember } from './mentions.js';
import type { PostRow } from './post.model.js';
import { PostsRepository } from './posts.repository.js';

/**
 * How a user is mentioned by a post, highest first where several apply (Mattermost's mention
 * types): a keyword of theirs, a DM, `@channel`/`@all`/`@here`, a reply to a thread they started
 * (`comments: root`) or took part in (`comments: any`) without collapsed threads, a group message.
 */
export type MentionKind = 'keyword' | 'dm' | 'channel' | 'comment' | 'thread' | 'gm';
const KIND_RANK: Record<MentionKind, number> = { gm: 0, thread: 1, comment: 2, channel: 3, dm: 4, keyword: 5 };

export interface PostMentions {
  /** Users whose mention counters go up: the poster only for a webhook's post. */
  userIds: string[];
  kinds: Map<string, MentionKind>;
  /** Every member's username (a GM's notification name lists them). */
  memberUsernames: readonly string[];
  /** The channel's members as read for this post (names, notify props, status). */
  members: MentionMemberRow[];
  /** Channel-wide mentions in the text, whether or not they reached anyone. */
  channelWide: { channel: boolean; all: boolean; here: boolean };
  /** The channel has more members than MaxNotificationsPerChannel, so channel-wide mentions were ignored. */
  tooManyForChannelMentions: boolean;
}

/** What a new post says that decides its mentions. */
export interface MentionedPost {
  user_id: string;
  message: string;
  props: Record<string, unknown>;
}

/**
 * How long a channel's member list (names, notify props, statuses) is reused for mention
 * detection. Every post needs it, and in a large channel it is the biggest read of a post; a
 * membership change drops it at once, a profile or status change within this time (plus the
 * reload, which runs in the background while posts keep using the old list).
 */
const MEMBERS_TTL_MS = 2_000;
const MAX_CACHED_CHANNELS = 5_000;

/**
 * Who a new post notifies (getExplicitMentionsAndKeywords): in a DM the other person, in a GM
 * everyone, elsewhere the members the message mentions. Channel-wide mentions need the poster's
 * use_channel_mentions permission and a channel no larger than MaxNotificationsPerChannel.
 */
@Injectable()
export class PostMentionsService {
  private readonly log = new Logger('posts');
  private readonly members: RefreshingCache<string, MentionMemberRow[]>;

  constructor(
    private readonly channelMembers: ChannelMembersRepository,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly posts: PostsRepository,
    private readonly collapsedThreads: CollapsedThreads,
    invalidation: InvalidationBus,
  ) {
    this.members = new RefreshingCache({
      load: (channelId) => this.channelMembers.mentionMembers(channelId),
      ttlMs: MEMBERS_TTL_MS,
      maxEntries: MAX_CACHED_CHANNELS,
      onRefreshError: (channelId, err) => this.log.warn(`reloading the members of channel ${channelId} for mentions failed: ${err}`),
    });
    invalidation.on('channel_members', (channelId) => this.members.invalidate(channelId));
    invalidation.on('user', () => this.members.clear());
    invalidation.on('all', () => this.members.clear());
  }

  /**
   * The poster's roles decide whether `@channel` counts (use_channel_mentions). A webhook's post
   * may notify its owner (Mattermost removes the poster's own mention only for other posts).
   * For a reply, `root` adds the thread's comment mentions.
   */
  async forNewPost(session: Session, channel: ChannelRow, post: MentionedPost, root?: PostRow): Promise<PostMentions> {
    const members = await this.members.get(channel.id);
    const { mentionMembers, usernames } = derivedOf(members);
    const fromWebhook = post.props.from_webhook === 'true';
    const base = { memberUsernames: usernames, members };
    const kinds = new Map<string, MentionKind>();
    const none = { channel: false, all: false, here: false };
    if (channel.type === 'D') {
      for (const m of members) if (m.user_id !== post.user_id || fromWebhook) kinds.set(m.user_id, 'dm');
      return { ...base, kinds, userIds: [...kinds.keys()], channelWide: none, tooManyForChannelMentions: false };
    }

    const tooMany = members.length > this.config.get().TeamSettings.MaxNotificationsPerChannel;
    const allowChannelMentions = !tooMany && (await this.permissions.hasChannel(session, channel.id, 'use_channel_mentions'));
    const found = findMentions(post.message, mentionMembers, { posterId: post.user_id, mentionPoster: fromWebhook, allowChannelMentions });
    for (const [id, kind] of found.kinds) kinds.set(id, kind);
    if (channel.type === 'G') for (const m of members) raise(kinds, m.user_id, 'gm');
    if (root) for (const [id, kind] of await this.commentMentions(members, root)) raise(kinds, id, kind);
    if (!fromWebhook) kinds.delete(post.user_id);
    return {
      ...base,
      kinds,
      userIds: [...kinds.keys()],
      channelWide: { channel: found.channelMentioned, all: found.allMentioned, here: found.hereMentioned },
      tooManyForChannelMentions: tooMany,
    };
  }

  /**
   * Replies mention, for members without collapsed threads, the thread's author when their
   * `comments` prop is `root` or `any`, and everyone who replied in it with `any`.
   */
  private async commentMentions(members: MentionMemberRow[], root: PostRow): Promise<Map<string, MentionKind>> {
    const result = new Map<string, MentionKind>();
    const wanting = members.filter((m) => m.user_notify_props?.comments === 'any' || m.user_notify_props?.comments === 'root');
    if (wanting.length === 0) return result;
    const participants = new Set((await this.posts.participantsOf([root])).get(root.id));
    const rootByOAuthApp = root.props?.from_oauth_app === 'true';
    for (const m of wanting) {
      if (m.user_id === root.user_id && !rootByOAuthApp) result.set(m.user_id, 'comment');
      else if (m.user_notify_props.comments === 'any' && participants.has(m.user_id)) result.set(m.user_id, 'thread');
    }
    if (result.size === 0) return result;
    const crt = await this.collapsedThreads.forUsers([...result.keys()]);
    for (const id of result.keys()) if (crt.has(id)) result.delete(id);
    return result;
  }
}

function raise(kinds: Map<string, MentionKind>, userId: string, kind: MentionKind): void {
  const current = kinds.get(userId);
  if (!current || KIND_RANK[kind] > KIND_RANK[current]) kinds.set(userId, kind);
}

/**
 * What every post derives from its channel's member list, once per list: the cache hands the same
 * list to every post until it reloads, and then a new one (the list is never changed in place).
 */
const derivedByList = new WeakMap<MentionMemberRow[], { mentionMembers: MentionMember[]; usernames: string[] }>();

function derivedOf(members: MentionMemberRow[]) {
  let derived = derivedByList.get(members);
  if (!derived) derivedByList.set(members, (derived = { mentionMembers: members.map(toMentionMember), usernames: members.map((m) => m.username) }));
  return derived;
}

function toMentionMember(m: MentionMemberRow): MentionMember {
  return {
    userId: m.user_id,
    username: m.username,
    firstName: m.first_name,
    userNotifyProps: m.user_notify_props ?? {},
    channelNotifyProps: m.channel_notify_props ?? {},
    online: m.status === 'online',
  };
}
