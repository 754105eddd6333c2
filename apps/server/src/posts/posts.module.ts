import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PreferencesModule } from '../preferences/preferences.module.js';
import { UsersModule } from '../users/users.module.js';
import { PostAccess } from './post-access.service.js';
import { PostListsService } from './post-lists.service.js';
import { PostMentionsService } from './post-mentions.service.js';
import { PostSearchService } from './post-search.service.js';
import { PostViews } from './post-views.service.js';
import { PostsCoreModule } from './posts-core.module.js';
import { PostsController } from './posts.controller.js';
import { PostsService } from './posts.service.js';

@Module({
  imports: [PostsCoreModule, ChannelsModule, MembershipModule, PreferencesModule, UsersModule],
  controllers: [PostsController],
  providers: [PostAccess, PostViews, PostMentionsService, PostsService, PostListsService, PostSearchService],
  exports: [PostsCoreModule, PostAccess, PostsService],
})
export class PostsModule {}
