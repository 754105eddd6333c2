import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { fileInfoView, FileInfoView, inPostOrder } from '../files/file-info.model.js';
import { FileInfosRepository } from '../files/file-infos.repository.js';
import type { Session } from '../common/session.js';
import { PreviewsService } from '../previews/previews.service.js';
import { ThreadMembershipsRepository } from '../threads/thread-memberships.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { PostPriorityExtras, PostPriorityView } from './post-priority.js';
import { PostPriorityRepository } from './post-priority.repository.js';
import { PostRow, PostView, toPostView } from './post.model.js';
import { PostsRepository } from './posts.repository.js';
import { reactionView, ReactionView } from './reaction-view.js';
import { ReactionsRepository } from './reactions.repository.js';

export interface ViewOptions {
  /** Collapsed threads: roots carry their participants ({id} only unless extended). */
  participants?: 'ids' | 'users';
  viewer?: Session;
}

/** Rows to client posts (PreparePostForClient): reactions, files, link embeds and image sizes in metadata, participants on request. */
@Injectable()
export class PostViews {
  constructor(
    private readonly repo: PostsRepository,
    private readonly reactions: ReactionsRepository,
    private readonly usersRepo: UsersRepository,
    private readonly users: UsersService,
    private readonly priorities: PostPriorityRepository,
    private readonly config: ConfigService,
    private readonly previews: PreviewsService,
    private readonly threadMemberships: ThreadMembershipsRepository,
    private readonly fileInfos: FileInfosRepository,
  ) {}

  /**
   * One post's view. A post just created passes the priority it was sent with (null: none), so
   * the posting path does not read back what it wrote (a new post has no acknowledgements).
   */
  async one(row: PostRow, extras: { pendingPostId?: string; newPriority?: PostPriorityView | null } = {}): Promise<PostView> {
    const [view] = await this.many([row], extras.newPriority === undefined ? {} : { skipPriority: true });
    if (extras.pendingPostId) view.pending_post_id = extras.pendingPostId;
    if (extras.newPriority && this.priorityEnabled()) view.metadata.priority = extras.newPriority;
    return view;
  }

  async many(rows: PostRow[], options: ViewOptions & { skipPriority?: boolean } = {}): Promise<PostView[]> {
    // Independent reads, asked at once (the stored link previews too): a page waits for one round
    // trip, not one per kind of metadata, each behind its turn on a busy event loop.
    const links = this.previews.linksOf(rows);
    const [reactions, files, participants, priorities, following] = await Promise.all([
      this.reactionsByPost(rows.filter((r) => r.has_reactions).map((r) => r.id)),
      this.filesByPost(rows),
      options.participants ? this.participantsByRoot(rows, options) : new Map<string, unknown[]>(),
      options.skipPriority ? new Map<string, PostPriorityExtras>() : this.priorityByPost(rows),
      options.participants && options.viewer ? this.followingByRoot(rows, options.viewer.user_id) : new Map<string, boolean>(),
      this.previews.warm(rows, links),
    ]);
    const views = rows.map((row) => {
      const view = toPostView(row, {
        reactions: reactions.get(row.id),
        files: files.get(row.id),
        participants: row.root_id === '' ? (participants.get(row.id) ?? (options.participants ? [] : null)) : null,
        ...priorities.get(row.id),
      });
      // Collapsed threads: whether the viewer follows each root, left out where they never did (IsFollowing).
      if (following.has(row.id)) view.is_following = following.get(row.id);
      return view;
    });
    await this.previews.addEmbedsAndImages(views, links);
    return views;
  }

  private priorityEnabled(): boolean {
    return this.config.get().ServiceSettings.PostPriority;
  }

  /**
   * metadata.priority and metadata.acknowledgements (PreparePostForClient): only root posts carry
   * them, and only while ServiceSettings.PostPriority is on; one query for the whole page.
   */
  private async priorityByPost(rows: PostRow[]): Promise<Map<string, PostPriorityExtras>> {
    if (!this.priorityEnabled()) return new Map();
    return this.priorities.extrasFor(rows.filter((r) => r.root_id === '').map((r) => r.id));
  }

  private async reactionsByPost(postIds: string[]): Promise<Map<string, ReactionView[]>> {
    const byPost = new Map<string, ReactionView[]>();
    for (const row of await this.reactions.forPosts(postIds)) {
      const list = byPost.get(row.post_id) ?? [];
      list.push(reactionView(row));
      byPost.set(row.post_id, list);
    }
    return byPost;
  }

  /** metadata.files: the live files of the live posts that name some, one query for the page. */
  private async filesByPost(rows: PostRow[]): Promise<Map<string, FileInfoView[]>> {
    const withFiles = rows.filter((r) => r.delete_at === 0 && r.file_ids.length > 0);
    const infos = await this.fileInfos.forPosts(withFiles.map((r) => r.id));
    const byPost = new Map<string, FileInfoView[]>();
    for (const row of withFiles) byPost.set(row.id, inPostOrder(infos.get(row.id) ?? [], row.file_ids).map(fileInfoView));
    return byPost;
  }

  private async followingByRoot(rows: PostRow[], userId: string): Promise<Map<string, boolean>> {
    const rootIds = rows.filter((r) => r.root_id === '').map((r) => r.id);
    return rootIds.length ? this.threadMemberships.followingOf(userId, rootIds) : new Map();
  }

  private async participantsByRoot(rows: PostRow[], options: ViewOptions): Promise<Map<string, unknown[]>> {
    const roots = rows.filter((r) => r.root_id === '' && r.reply_count > 0);
    const threads = await this.repo.participantsOf(roots);
    const result = new Map<string, unknown[]>();
    if (options.participants === 'users') {
      const ids = [...new Set([...threads.values()].flat())];
      const users = new Map((ids.length ? await this.usersRepo.byIds(ids) : []).map((u) => [u.id, this.users.view(u, options.viewer)]));
      for (const [rootId, list] of threads)
        result.set(
          rootId,
          list.map((id) => users.get(id) ?? { id }),
        );
    } else {
      for (const [rootId, list] of threads)
        result.set(
          rootId,
          list.map((id) => ({ id })),
        );
    }
    return result;
  }
}
