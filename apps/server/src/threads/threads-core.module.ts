import { Module } from '@nestjs/common';
import { PreferencesCoreModule } from '../preferences/preferences-core.module.js';
import { CollapsedThreads } from './collapsed-threads.js';
import { ThreadMembershipsRepository } from './thread-memberships.repository.js';

/**
 * Thread memberships storage and who has collapsed threads on, for the threads area, the team
 * unread counts (teams area) and push badges; it imports only the preferences table, so any
 * module may use it without a cycle.
 */
@Module({
  imports: [PreferencesCoreModule],
  providers: [ThreadMembershipsRepository, CollapsedThreads],
  exports: [ThreadMembershipsRepository, CollapsedThreads],
})
export class ThreadsCoreModule {}
