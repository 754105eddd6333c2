import { Injectable, Logger } from '@nestjs/common';
import { RefreshingCache } from '#common';
import { ConfigService } from '#config';
import { InvalidationBus } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelMembersRepository, MentionMemberRow } from '../membership/channel-members.repository.js';
import type { Session } from '../common/session.js';
import { findMentions } from './mentions.js';

export interface PostMentions {
  /** Users whose mention counters go up, never the poster. */
  userIds: string[];
  /** Every member's username (a GM's notification name lists them). */
  memberUsernames: string[];
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

  async forNewPost(session: Session, channel: ChannelRow, message: string): Promise<PostMentions> {
    const members = await this.members.get(channel.id);
    const memberUsernames = members.map((m) => m.username);
    const others = members.filter((m) => m.user_id !== session.user_id).map((m) => m.user_id);
    if (channel.type === 'D') return { userIds: others, memberUsernames };

    const allowChannelMentions =
      members.length <= this.config.get().TeamSettings.MaxNotificationsPerChannel &&
      (await this.permissions.hasChannel(session, channel.id, 'use_channel_mentions'));
    const found = findMentions(message, members.map(toMentionMember), { posterId: session.user_id, allowChannelMentions });
    const userIds = new Set(found.userIds);
    if (channel.type === 'G') for (const id of others) userIds.add(id);
    return { userIds: [...userIds], memberUsernames };
  }
}

function toMentionMember(m: MentionMemberRow) {
  return {
    userId: m.user_id,
    username: m.username,
    firstName: m.first_name,
    userNotifyProps: m.user_notify_props ?? {},
    channelNotifyProps: m.channel_notify_props ?? {},
    online: m.status === 'online',
  };
}
