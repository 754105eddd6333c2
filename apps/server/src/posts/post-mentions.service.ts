import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { findMentions } from './mentions.js';
import { ChannelRow, MentionMemberRow, PostsRepository } from './posts.repository.js';

export interface PostMentions {
  /** Users whose mention counters go up, never the poster. */
  userIds: string[];
  /** Every member's username (a GM's notification name lists them). */
  memberUsernames: string[];
}

/**
 * Who a new post notifies (getExplicitMentionsAndKeywords): in a DM the other person, in a GM
 * everyone, elsewhere the members the message mentions. Channel-wide mentions need the poster's
 * use_channel_mentions permission and a channel no larger than MaxNotificationsPerChannel.
 */
@Injectable()
export class PostMentionsService {
  constructor(
    private readonly repo: PostsRepository,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  async forNewPost(session: Session, channel: ChannelRow, message: string): Promise<PostMentions> {
    const members = await this.repo.mentionMembers(channel.id);
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
