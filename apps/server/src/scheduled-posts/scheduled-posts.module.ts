import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { UsersModule } from '../users/users.module.js';
import { ScheduledPostSender } from './scheduled-post-sender.js';
import { ScheduledPostsController } from './scheduled-posts.controller.js';
import { ScheduledPostsRepository } from './scheduled-posts.repository.js';
import { ScheduledPostsService } from './scheduled-posts.service.js';

/** Scheduled posts: the API, and the sender the scheduled_posts job runs (jobs imports this module). */
@Module({
  imports: [PostsModule, ChannelsModule, UsersModule],
  controllers: [ScheduledPostsController],
  providers: [ScheduledPostsRepository, ScheduledPostsService, ScheduledPostSender],
  exports: [ScheduledPostSender],
})
export class ScheduledPostsModule {}
