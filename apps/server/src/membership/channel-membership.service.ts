import { Injectable } from '@nestjs/common';
import { Queryable } from '#db';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { ChannelMembersRepository } from './channel-members.repository.js';
import { isGuest, MemberUser } from './member-users.repository.js';
import { ChannelMemberRow, defaultChannelNotifyProps, MembershipChannel } from './membership.model.js';
import { composeRoles } from './scheme-roles.js';

/** A fresh membership row, as Mattermost builds it (guest/user by the user's system role). */
export function newChannelMember(channelId: string, user: Pick<MemberUser, 'id' | 'roles'>, admin: boolean, now: number): ChannelMemberRow {
  const guest = isGuest(user);
  const flags = { scheme_guest: guest, scheme_user: !guest, scheme_admin: admin && !guest };
  return {
    channel_id: channelId,
    user_id: user.id,
    roles: composeRoles('channel', flags),
    last_viewed_at: 0,
    msg_count: 0,
    mention_count: 0,
    mention_count_root: 0,
    urgent_mention_count: 0,
    msg_count_root: 0,
    notify_props: defaultChannelNotifyProps(),
    last_update_at: now,
    ...flags,
  };
}

/**
 * Channel membership writes shared by the teams and channels areas: joining and leaving, with
 * the cache invalidation that must precede the event announcing the change (so the hub already
 * counts a new member as a recipient, and no longer counts a removed one).
 */
@Injectable()
export class ChannelMembershipService {
  constructor(
    private readonly members: ChannelMembersRepository,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
  ) {}

  /** A fresh membership row, as Mattermost builds it (guest/user by the user's system role). */
  newMember(channelId: string, user: Pick<MemberUser, 'id' | 'roles'>, admin: boolean, now = Date.now()): ChannelMemberRow {
    return newChannelMember(channelId, user, admin, now);
  }

  /**
   * Adds a user to an open or private channel. An existing membership is returned unchanged and
   * announces nothing; a new one is announced with `user_added` to the channel and to the user.
   */
  async join(channel: MembershipChannel, user: MemberUser, opts: { admin?: boolean } = {}): Promise<{ member: ChannelMemberRow; created: boolean }> {
    const inserted = await this.members.insert(this.newMember(channel.id, user, opts.admin ?? false));
    if (!inserted) return { member: (await this.members.get(channel.id, user.id))!, created: false };
    this.invalidation.emit('channel_members', channel.id);
    this.announceJoin(channel, user.id);
    return { member: inserted, created: true };
  }

  /** `user_added` to the other members, and separately to the user (who may not be cached as a member yet elsewhere). */
  announceJoin(channel: MembershipChannel, userId: string): void {
    const data = { user_id: userId, team_id: channel.team_id };
    this.publisher.publish(newEvent(WsEvents.UserAdded, { channel_id: channel.id, omit_users: { [userId]: true } }, data));
    this.publisher.publish(newEvent(WsEvents.UserAdded, { channel_id: channel.id, user_id: userId }, data));
  }

  /**
   * Removes a user from a channel; `user_removed` goes to the remaining members and to the removed
   * user (who is no longer a channel recipient). Returns false when the user was not a member.
   */
  async leave(channel: MembershipChannel, userId: string, removerId: string): Promise<boolean> {
    if (!(await this.members.delete(channel.id, userId))) return false;
    this.invalidation.emit('channel_members', channel.id);
    this.publisher.publish(newEvent(WsEvents.UserRemoved, { channel_id: channel.id }, { user_id: userId, remover_id: removerId }));
    this.publisher.publish(newEvent(WsEvents.UserRemoved, { user_id: userId }, { channel_id: channel.id, remover_id: removerId }));
    return true;
  }

  /** Leaving a team leaves its channels, silently, as Mattermost's LeaveTeam does (clients drop the team's channels on leave_team). */
  async leaveTeamChannels(teamId: string, userId: string, tx?: Queryable): Promise<string[]> {
    return this.members.deleteForUserInTeam(userId, teamId, tx);
  }
}
