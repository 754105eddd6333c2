import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { Queryable } from '#db';
import { ChannelMembershipService } from '../membership/channel-membership.service.js';
import { isGuest, MemberUser } from '../membership/member-users.repository.js';
import { isValidChannelName, newChannelRow, OFF_TOPIC, TOWN_SQUARE } from './channel.model.js';
import { ChannelsRepository } from './channels.repository.js';

const DEFAULT_DISPLAY_NAMES: Record<string, string> = { [TOWN_SQUARE]: 'Town Square', [OFF_TOPIC]: 'Off-Topic' };

/** The public channels every team starts with and every new team member joins (used by the teams area). */
@Injectable()
export class DefaultChannelsService {
  constructor(
    private readonly channels: ChannelsRepository,
    private readonly membership: ChannelMembershipService,
    private readonly config: ConfigService,
  ) {}

  /** Town Square, then Off-Topic or the configured ExperimentalDefaultChannels (App.DefaultChannelNames). */
  names(): string[] {
    const configured = this.config.get().TeamSettings.ExperimentalDefaultChannels.filter((n) => n !== TOWN_SQUARE && isValidChannelName(n));
    return [TOWN_SQUARE, ...new Set(configured.length ? configured : [OFF_TOPIC])];
  }

  /** The default public channels of a new team, in the transaction that creates it. */
  async create(teamId: string, tx: Queryable, now = Date.now()): Promise<void> {
    for (const name of this.names()) {
      await this.channels.insert(newChannelRow({ team_id: teamId, type: 'O', display_name: DEFAULT_DISPLAY_NAMES[name] ?? name, name }, now), tx);
    }
  }

  /** Joins a new team member to the team's default channels (guests join none), as App.JoinDefaultChannels. */
  async join(teamId: string, user: MemberUser, admin: boolean): Promise<void> {
    if (isGuest(user)) return;
    for (const name of this.names()) {
      const channel = await this.channels.byName(teamId, name, true);
      if (!channel || channel.type !== 'O') continue;
      await this.membership.join(channel, user, { admin });
    }
  }
}
