import { Injectable } from '@nestjs/common';
import { AppError, forbidden, invalidParam, notFound } from '#common';
import { Database } from '#db';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { CategoriesRepository } from '../categories/categories.repository.js';
import { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { ChannelMembershipService } from '../membership/channel-membership.service.js';
import { MemberUsersRepository } from '../membership/member-users.repository.js';
import { TeamMembersRepository } from '../membership/team-members.repository.js';
import { ChannelWebhooks } from '../webhooks/channel-webhooks.js';
import { ChannelRow, channelView } from './channel.model.js';
import { ChannelsRepository } from './channels.repository.js';
import { channelNotFound } from './channels.service.js';

/**
 * POST /channels/{id}/move (api4 moveChannel, App.MoveChannel; `mmctl channel move`): an open or
 * private channel goes to another team with its webhooks. Needs manage_system. Members who are
 * deactivated are removed first; members who are not on the target team are removed with `force`,
 * otherwise the move is refused (Mattermost answers that with a 500; here it is a 400).
 */
@Injectable()
export class ChannelMoveService {
  constructor(
    private readonly db: Database,
    private readonly channels: ChannelsRepository,
    private readonly members: ChannelMembersRepository,
    private readonly membership: ChannelMembershipService,
    private readonly users: MemberUsersRepository,
    private readonly teamMembers: TeamMembersRepository,
    private readonly categories: CategoriesRepository,
    private readonly webhooks: ChannelWebhooks,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly invalidation: InvalidationBus,
  ) {}

  /** `body`: {team_id, force}, checked after the channel is found, as api4 moveChannel does. */
  async move(session: Session, channelId: string, body: unknown): Promise<ChannelRow> {
    const channel = await this.channels.byId(channelId);
    if (!channel) throw channelNotFound(channelId);
    const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
    if (typeof b.team_id !== 'string') throw invalidParam('team_id');
    if (typeof b.force !== 'boolean') throw invalidParam('force');
    const teamId = b.team_id;
    const force = b.force;
    const teamExists = await this.db.transaction((tx) => this.teamMembers.lockTeam(teamId, tx));
    if (!teamExists) throw notFound('app.team.get.find.app_error', 'We could not find the existing team.', `team_id=${teamId}`);
    if (channel.type === 'D' || channel.type === 'G')
      throw forbidden('api.channel.move_channel.type.invalid', 'Unable to move direct or group message channels');
    this.permissions.requireSystem(session, 'manage_system');

    const memberIds = await this.members.userIds(channel.id);
    const users = memberIds.length ? await this.users.byIds(memberIds) : [];
    const deactivated = users.filter((u) => u.delete_at > 0).map((u) => u.id);
    const active = memberIds.filter((id) => !deactivated.includes(id));
    const onTeam = new Set(active.length ? (await this.teamMembers.byUserIds(teamId, active)).filter((m) => m.delete_at === 0).map((m) => m.user_id) : []);
    const outsiders = active.filter((id) => !onTeam.has(id));
    if (outsiders.length > 0 && !force) {
      throw new AppError(
        '',
        'app.channel.move_channel.members_do_not_match.error',
        'Cannot move a channel unless all its members are already members of the destination team.',
        400,
        `not on the team: ${outsiders.join(', ')}`,
      );
    }
    const remover = session.user_id;
    for (const userId of [...deactivated, ...outsiders]) await this.membership.leave(channel, userId, remover);

    if (channel.team_id === teamId) return channel;
    const now = Date.now();
    await this.db.transaction(async (tx) => {
      await this.channels.setTeam(channel.id, teamId, now, tx);
      await this.webhooks.moveToTeam(channel.id, teamId, now, tx);
      await this.categories.removeChannelFromOtherTeams(channel.id, teamId, tx);
    });
    const moved: ChannelRow = { ...channel, team_id: teamId, update_at: now };
    this.invalidation.emit('channel_members', channel.id);
    this.publisher.publish(newEvent(WsEvents.ChannelUpdated, { channel_id: channel.id }, { channel: JSON.stringify(channelView(moved)) }));
    return moved;
  }
}
