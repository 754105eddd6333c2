import { Module } from '@nestjs/common';
import { ChannelsCoreModule } from '../channels/channels-core.module.js';
import { PostsCoreModule } from '../posts/posts-core.module.js';
import { TeamMembersRepository } from './team-members.repository.js';
import { TeamMembershipService } from './team-membership.service.js';
import { TeamViews } from './team-views.js';
import { TeamsController } from './teams.controller.js';
import { TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';
import { UserTeamsController } from './user-teams.controller.js';

@Module({
  imports: [ChannelsCoreModule, PostsCoreModule],
  controllers: [TeamsController, UserTeamsController],
  providers: [TeamsRepository, TeamMembersRepository, TeamsService, TeamMembershipService, TeamViews],
  exports: [TeamsService, TeamMembershipService, TeamsRepository, TeamMembersRepository, TeamViews],
})
export class TeamsModule {}
