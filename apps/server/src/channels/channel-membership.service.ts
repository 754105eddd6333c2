import { Injectable } from '@nestjs/common';
import { newId } from '#common';
import { ConfigService } from '#config';
import { Queryable } from '#db';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { ChannelMemberRow, ChannelRow, defaultChannelNotifyProps, isValidChannelName, OFF_TOPIC, TOWN_SQUARE } from './channel.model.js';
import { ChannelMembersRepository } from './channel-members.repository.js';
import { ChannelsRepository } from './channels.repository.js';
import { isGuest, MemberUser } from './member-users.repository.js';
import { composeRoles } from './scheme-roles.js';

const DEFAULT_DISPLAY_NAMES: Record<string, string> = { [TOWN_SQUARE]: 'Town Square', [OFF_TOPIC]: 'Off-Topic' };

/**
 * Channel membership writes shared by the teams and channels areas: joining and leaving, with
 * the cache invalidation that must precede the event announcing the change (so the hub already
 * counts a new member as a recipient, and no longer counts a removed one).
 */
@Injectable()
export class ChannelMembershipService {
  constructor(
    private readonly members: ChannelMembersRepository,
    private readonly channels: ChannelsRepository,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
    private readonly config: ConfigService,
  ) {}

  /** A fresh membership row, as Mattermost builds it (guest/user by the user's system role). */
  newMember(channelId: string, user: Pick<MemberUser, 'id' | 'roles'>, admin: boolean, now = Date.now()): ChannelMemberRow {
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
   * Adds a user to an open or private channel. An existing membership is returned unchanged and
   * announces nothing; a new one is announced with `user_added` to the channel and to the user.
   */
  async join(channel: ChannelRow, user: MemberUser, opts: { admin?: boolean } = {}): Promise<{ member: ChannelMemberRow; created: boolean }> {
    const inserted = await this.members.insert(this.newMember(channel.id, user, opts.admin ?? false));
    if (!inserted) return { member: (await this.members.get(channel.id, user.id))!, created: false };
    this.invalidation.emit('channel_members', channel.id);
    this.announceJoin(channel, user.id);
    return { member: inserted, created: true };
  }

  /** `user_added` to the other members, and separately to the user (who may not be cached as a member yet elsewhere). */
  announceJoin(channel: ChannelRow, userId: string): void {
    const data = { user_id: userId, team_id: channel.team_id };
    this.publisher.publish(newEvent(WsEvents.UserAdded, { channel_id: channel.id, omit_users: { [userId]: true } }, data));
    this.publisher.publish(newEvent(WsEvents.UserAdded, { channel_id: channel.id, user_id: userId }, data));
  }

  /**
   * Removes a user from a channel; `user_removed` goes to the remaining members and to the removed
   * user (who is no longer a channel recipient). Returns false when the user was not a member.
   */
  async leave(channel: ChannelRow, userId: string, removerId: string): Promise<boolean> {
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

  /** Town Square, then Off-Topic or the configured ExperimentalDefaultChannels (App.DefaultChannelNames). */
  defaultChannelNames(): string[] {
    const configured = this.config.get().TeamSettings.ExperimentalDefaultChannels.filter((n) => n !== TOWN_SQUARE && isValidChannelName(n));
    return [TOWN_SQUARE, ...new Set(configured.length ? configured : [OFF_TOPIC])];
  }

  /** The default public channels every new team starts with. */
  async createDefaultChannels(teamId: string, tx: Queryable, now = Date.now()): Promise<void> {
    for (const name of this.defaultChannelNames()) {
      await this.channels.insert(
        {
          id: newId(), create_at: now, update_at: now, delete_at: 0, team_id: teamId, type: 'O', display_name: DEFAULT_DISPLAY_NAMES[name] ?? name,
          name, header: '', purpose: '', last_post_at: 0, last_root_post_at: 0, total_msg_count: 0, total_msg_count_root: 0,
          extra_update_at: 0, creator_id: '', scheme_id: null, group_constrained: null,
        },
        tx,
      );
    }
  }

  /** Joins a new team member to the team's default channels (guests join none), as App.JoinDefaultChannels. */
  async joinDefaultChannels(teamId: string, user: MemberUser, admin: boolean): Promise<void> {
    if (isGuest(user)) return;
    for (const name of this.defaultChannelNames()) {
      const channel = await this.channels.byName(teamId, name, true);
      if (!channel || channel.type !== 'O') continue;
      await this.join(channel, user, { admin });
    }
  }
}
