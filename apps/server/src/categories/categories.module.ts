import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PreferencesCoreModule } from '../preferences/preferences-core.module.js';
import { CategoriesController } from './categories.controller.js';
import { CategoriesRepository } from './categories.repository.js';
import { CategoriesService } from './categories.service.js';

/**
 * Sidebar categories. Builds on channels, memberships and the preferences table (favourites);
 * the preferences area (saving a favourite) and the teams area (leaving a team) call into it, so
 * it imports neither of them.
 */
@Module({
  imports: [MembershipModule, ChannelsModule, PreferencesCoreModule],
  controllers: [CategoriesController],
  providers: [CategoriesRepository, CategoriesService],
  exports: [CategoriesService],
})
export class CategoriesModule {}
