import { Module } from '@nestjs/common';
import { PostsCoreModule } from '../posts/posts-core.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { ChannelAccess } from './channel-access.js';
import { ChannelMembersService } from './channel-members.service.js';
import { ChannelReadsService } from './channel-reads.service.js';
import { ChannelsCoreModule } from './channels-core.module.js';
import { ChannelsController } from './channels.controller.js';
import { ChannelsService } from './channels.service.js';
import { TeamChannelsController } from './team-channels.controller.js';
import { UserChannelsController } from './user-channels.controller.js';

@Module({
  imports: [ChannelsCoreModule, PostsCoreModule, TeamsModule],
  controllers: [ChannelsController, TeamChannelsController, UserChannelsController],
  providers: [ChannelsService, ChannelMembersService, ChannelReadsService, ChannelAccess],
  exports: [ChannelsCoreModule, ChannelsService, ChannelMembersService, ChannelAccess],
})
export class ChannelsModule {}
