import { Module } from '@nestjs/common';
import { CategoriesModule } from '../categories/categories.module.js';
import { ChannelsModule } from '../channels/channels.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PostsCoreModule } from '../posts/posts-core.module.js';
import { ThreadsCoreModule } from '../threads/threads-core.module.js';
import { TeamIconsService } from './team-icons.service.js';
import { TeamInvitesService } from './team-invites.service.js';
import { TeamMembershipService } from './team-membership.service.js';
import { TeamViews } from './team-views.js';
import { TeamsController } from './teams.controller.js';
import { TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';
import { UserTeamsController } from './user-teams.controller.js';

/**
 * Teams and their members. A team's default channels come from the channels area, which does not
 * depend on teams; the users area depends on this one (sign-up with an invite).
 */
@Module({
  imports: [MembershipModule, ChannelsModule, PostsCoreModule, CategoriesModule, ThreadsCoreModule],
  controllers: [TeamsController, UserTeamsController],
  providers: [
    TeamsRepository,
    TeamsService,
    TeamMembershipService,
    TeamViews,
    TeamIconsService,
    TeamInvitesService,
    // Icons live in the file store the jobs use (FileSettings.DriverName).
  ],
  // TeamInvitesService: a sign-up with an invitation's token (users area) joins its team.
  exports: [TeamsService, TeamsRepository, TeamInvitesService],
})
export class TeamsModule {}
