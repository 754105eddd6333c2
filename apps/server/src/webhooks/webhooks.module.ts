import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { UsersModule } from '../users/users.module.js';
import { IncomingHookController } from './incoming-hook.controller.js';
import { IncomingWebhookReceiver } from './incoming-webhook-receiver.service.js';
import { IncomingWebhooksService } from './incoming-webhooks.service.js';
import { IntegrationPermissions } from './integration-permissions.js';
import { OutgoingWebhookSender } from './outgoing-webhook-sender.service.js';
import { OutgoingWebhooksService } from './outgoing-webhooks.service.js';
import { WebhookPosts } from './webhook-posts.js';
import { WebhooksController } from './webhooks.controller.js';
import { WebhooksCoreModule } from './webhooks-core.module.js';

/**
 * Incoming and outgoing webhooks. Their posts go through the posts area (as the hook owner's);
 * outgoing hooks listen to new posts through PostCreatedListeners, so posts import nothing here.
 */
@Module({
  imports: [WebhooksCoreModule, PostsModule, ChannelsModule, MembershipModule, TeamsModule, UsersModule],
  controllers: [WebhooksController, IncomingHookController],
  providers: [IntegrationPermissions, IncomingWebhooksService, OutgoingWebhooksService, WebhookPosts, IncomingWebhookReceiver, OutgoingWebhookSender],
})
export class WebhooksModule {}
