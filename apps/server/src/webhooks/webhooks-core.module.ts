import { Module } from '@nestjs/common';
import { ChannelWebhooks } from './channel-webhooks.js';
import { IncomingWebhooksRepository } from './incoming-webhooks.repository.js';
import { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';

/**
 * Webhook storage. It imports nothing, so the channels area can delete a channel's hooks when it
 * archives or deletes the channel, as Mattermost's DeleteChannel does, without a cycle.
 */
@Module({
  providers: [IncomingWebhooksRepository, OutgoingWebhooksRepository, ChannelWebhooks],
  exports: [IncomingWebhooksRepository, OutgoingWebhooksRepository, ChannelWebhooks],
})
export class WebhooksCoreModule {}
