import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { DraftsController } from './drafts.controller.js';
import { DraftsRepository } from './drafts.repository.js';
import { DraftsService } from './drafts.service.js';

/** Drafts synced across devices. Posts call it once per new post to clear the spent draft. */
@Module({
  imports: [ChannelsModule],
  controllers: [DraftsController],
  providers: [DraftsRepository, DraftsService],
  exports: [DraftsService],
})
export class DraftsModule {}
