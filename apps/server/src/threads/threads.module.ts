import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { FilesCoreModule } from '../files/files-core.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PostViews } from '../posts/post-views.service.js';
import { PostsCoreModule } from '../posts/posts-core.module.js';
import { PreferencesModule } from '../preferences/preferences.module.js';
import { PreviewsModule } from '../previews/previews.module.js';
import { UsersModule } from '../users/users.module.js';
import { ThreadActivity } from './thread-activity.service.js';
import { ThreadViews } from './thread-views.service.js';
import { ThreadsCoreModule } from './threads-core.module.js';
import { ThreadsController } from './threads.controller.js';
import { ThreadsService } from './threads.service.js';

/**
 * Collapsed reply threads: the thread routes, and what a reply does to its followers. The posts
 * area imports this module (a reply calls ThreadActivity), so it builds on post storage
 * (PostsCoreModule) rather than on the posts module; PostViews, which needs only storage (posts
 * and files), users and link previews, is provided here too.
 */
@Module({
  // MembershipModule: reading a thread tells ReadStateListeners.
  imports: [ThreadsCoreModule, PostsCoreModule, FilesCoreModule, ChannelsModule, MembershipModule, PreferencesModule, UsersModule, PreviewsModule],
  controllers: [ThreadsController],
  providers: [PostViews, ThreadViews, ThreadsService, ThreadActivity],
  exports: [ThreadActivity, ThreadsCoreModule],
})
export class ThreadsModule {}
