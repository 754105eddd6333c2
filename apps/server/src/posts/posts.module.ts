import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { DraftsModule } from '../drafts/drafts.module.js';
import { FilesCoreModule } from '../files/files-core.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PreferencesModule } from '../preferences/preferences.module.js';
import { PreviewsModule } from '../previews/previews.module.js';
import { ThreadsModule } from '../threads/threads.module.js';
import { UsersModule } from '../users/users.module.js';
import { PostAccess } from './post-access.service.js';
import { PostCreatedListeners } from './post-created-listeners.js';
import { PostListsService } from './post-lists.service.js';
import { PostMentionsService } from './post-mentions.service.js';
import { PostPriorityService } from './post-priority.service.js';
import { PostUnreadService } from './post-unread.service.js';
import { PostSearchService } from './post-search.service.js';
import { PostViews } from './post-views.service.js';
import { PostsCoreModule } from './posts-core.module.js';
import { PostsController } from './posts.controller.js';
import { PostsService } from './posts.service.js';
import { SavedPostsService } from './saved-posts.service.js';
import { UserPostsController } from './user-posts.controller.js';

@Module({
  imports: [PostsCoreModule, FilesCoreModule, ChannelsModule, MembershipModule, PreferencesModule, UsersModule, PreviewsModule, DraftsModule, ThreadsModule],
  controllers: [PostsController, UserPostsController],
  providers: [
    PostAccess,
    PostCreatedListeners,
    PostViews,
    PostMentionsService,
    PostsService,
    PostListsService,
    PostSearchService,
    PostPriorityService,
    PostUnreadService,
    SavedPostsService,
  ],
  exports: [PostsCoreModule, PostAccess, PostsService, PostCreatedListeners],
})
export class PostsModule {}
