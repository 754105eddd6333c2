import { Injectable } from '@nestjs/common';
import type { PostRow, PostView } from '../posts/post.model.js';
import { PostViews } from '../posts/post-views.service.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { participantsOf, toUserThreadView, UserThreadRow, UserThreadView } from './thread.model.js';

/** Thread rows to model.ThreadResponse: the root post, and the participants (whole users when extended). */
@Injectable()
export class ThreadViews {
  constructor(
    private readonly posts: PostsRepository,
    private readonly postViews: PostViews,
    private readonly usersRepo: UsersRepository,
    private readonly users: UsersService,
  ) {}

  async many(rows: UserThreadRow[], extended: boolean): Promise<UserThreadView[]> {
    if (rows.length === 0) return [];
    const [posts, users] = await Promise.all([this.rootPosts(rows), extended ? this.participantUsers(rows.flatMap((r) => r.participants)) : null]);
    return rows.map((row) => toUserThreadView(row, posts.get(row.post_id) ?? null, participantsOf(row.participants, users)));
  }

  async one(row: UserThreadRow, extended: boolean): Promise<UserThreadView> {
    return (await this.many([row], extended))[0];
  }

  /** One post as clients get it. */
  async post(row: PostRow): Promise<PostView> {
    return this.postViews.one(row);
  }

  /** The roots as clients get posts; a deleted root (listed with `deleted`) too. */
  private async rootPosts(rows: UserThreadRow[]): Promise<Map<string, PostView>> {
    const live = await this.posts.byIds(rows.filter((r) => r.thread_delete_at === 0).map((r) => r.post_id));
    const deleted = await Promise.all(rows.filter((r) => r.thread_delete_at !== 0).map((r) => this.posts.byId(r.post_id, true)));
    const all = [...live, ...deleted.filter((p): p is PostRow => p !== undefined)];
    const views = await this.postViews.many(all);
    return new Map(views.map((v) => [v.id, v]));
  }

  /** Participants sanitised as for any other user (sanitizeProfiles with asAdmin false). */
  async participantUsers(ids: string[]): Promise<Map<string, unknown>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.usersRepo.byIds(unique);
    return new Map(rows.map((u) => [u.id, this.users.view(u, undefined)]));
  }
}
