import { Module } from '@nestjs/common';
import { ThreadMembershipsRepository } from './thread-memberships.repository.js';

/**
 * Thread memberships storage, for the threads area and for the team unread counts (teams area),
 * which show unread threads per team; it imports nothing, so any module may use it without a cycle.
 */
@Module({
  providers: [ThreadMembershipsRepository],
  exports: [ThreadMembershipsRepository],
})
export class ThreadsCoreModule {}
