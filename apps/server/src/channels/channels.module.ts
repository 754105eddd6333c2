import { Module } from '@nestjs/common';
import { MembershipModule } from '../membership/membership.module.js';
import { PostsCoreModule } from '../posts/posts-core.module.js';
import { WebhooksCoreModule } from '../webhooks/webhooks-core.module.js';
import { CategoriesRepository } from '../categories/categories.repository.js';
import { ChannelAccess } from './channel-access.js';
import { ChannelMoveService } from './channel-move.service.js';
import { ChannelListsService } from './channel-lists.service.js';
import { ChannelMembersService } from './channel-members.service.js';
import { ChannelReadsService } from './channel-reads.service.js';
import { ChannelsController } from './channels.controller.js';
import { ChannelsRepository } from './channels.repository.js';
import { ChannelsService } from './channels.service.js';
import { DefaultChannelsService } from './default-channels.service.js';
import { TeamChannelsController } from './team-channels.controller.js';
import { UserChannelsController } from './user-channels.controller.js';

/**
 * Channels and their members. The teams area builds on it (a team's default channels, its channel
 * ids, channel lookups by team name); it depends on memberships, never on the teams area.
 */
@Module({
  imports: [MembershipModule, PostsCoreModule, WebhooksCoreModule],
  controllers: [ChannelsController, TeamChannelsController, UserChannelsController],
  providers: [
    ChannelsRepository,
    ChannelsService,
    ChannelMoveService,
    CategoriesRepository,
    ChannelListsService,
    ChannelMembersService,
    ChannelReadsService,
    ChannelAccess,
    DefaultChannelsService,
  ],
  exports: [ChannelsRepository, ChannelsService, DefaultChannelsService, ChannelMembersService],
})
export class ChannelsModule {}
