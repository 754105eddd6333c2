import { Injectable } from '@nestjs/common';
import type { Queryable } from '#db';
import { IncomingWebhooksRepository } from './incoming-webhooks.repository.js';
import { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';

/** A channel's webhooks, for the channels area: archiving or deleting a channel deletes them. */
@Injectable()
export class ChannelWebhooks {
  constructor(
    private readonly incoming: IncomingWebhooksRepository,
    private readonly outgoing: OutgoingWebhooksRepository,
  ) {}

  /** App.DeleteChannel deletes the channel's incoming and outgoing hooks; restoring it brings none back. */
  async deleteForChannel(channelId: string, now: number, tx?: Queryable): Promise<void> {
    await this.incoming.deleteForChannel(channelId, now, tx);
    await this.outgoing.deleteForChannel(channelId, now, tx);
  }

  /** App.MoveChannel moves the channel's incoming and outgoing hooks to the new team. */
  async moveToTeam(channelId: string, teamId: string, now: number, tx?: Queryable): Promise<void> {
    await this.incoming.moveChannelToTeam(channelId, teamId, now, tx);
    await this.outgoing.moveChannelToTeam(channelId, teamId, now, tx);
  }
}
