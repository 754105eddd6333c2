import { Module } from '@nestjs/common';
import { PostPriorityRepository } from './post-priority.repository.js';
import { PostsRepository } from './posts.repository.js';
import { ReactionsRepository } from './reactions.repository.js';

/**
 * Post storage (posts, their threads and reactions), shared by the posts and reactions areas and
 * by channel and team deletion, which take a channel's posts with them; it imports nothing, so any
 * module may use it without a cycle.
 */
@Module({
  providers: [PostsRepository, ReactionsRepository, PostPriorityRepository],
  exports: [PostsRepository, ReactionsRepository, PostPriorityRepository],
})
export class PostsCoreModule {}
