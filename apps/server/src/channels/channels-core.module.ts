import { Module } from '@nestjs/common';
import { ChannelMembersRepository } from './channel-members.repository.js';
import { ChannelMembershipService } from './channel-membership.service.js';
import { ChannelsRepository } from './channels.repository.js';
import { MemberUsersRepository } from './member-users.repository.js';

/**
 * Channel storage and membership writes, shared by the teams module (default channels, leaving a
 * team) and the channels module (everything else); kept apart so neither depends on the other.
 */
@Module({
  providers: [ChannelsRepository, ChannelMembersRepository, MemberUsersRepository, ChannelMembershipService],
  exports: [ChannelsRepository, ChannelMembersRepository, MemberUsersRepository, ChannelMembershipService],
})
export class ChannelsCoreModule {}
