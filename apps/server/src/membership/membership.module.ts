import { Module } from '@nestjs/common';
import { ChannelMembersRepository } from './channel-members.repository.js';
import { ChannelMembershipService } from './channel-membership.service.js';
import { MemberUsersRepository } from './member-users.repository.js';
import { ReadStateListeners } from './read-state-listeners.js';
import { TeamMembersRepository } from './team-members.repository.js';

/**
 * Who belongs to which team and channel: the team_members and channel_members tables and the
 * channel joins and leaves that both the teams area (default channels, leaving a team) and the
 * channels area make. Both areas import this module and it imports neither, so the teams area
 * (which creates and joins channels) can depend on the channels area without a cycle; the
 * permission checks read their roles here too. ReadStateListeners: the channels, threads and
 * posts areas tell of reads there, and the push area listens.
 */
@Module({
  providers: [TeamMembersRepository, ChannelMembersRepository, MemberUsersRepository, ChannelMembershipService, ReadStateListeners],
  exports: [TeamMembersRepository, ChannelMembersRepository, MemberUsersRepository, ChannelMembershipService, ReadStateListeners],
})
export class MembershipModule {}
