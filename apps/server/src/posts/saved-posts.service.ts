import { Injectable } from '@nestjs/common';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { PostAccess } from './post-access.service.js';
import { makePostList, PostListView } from './post-list.js';
import { PostViews } from './post-views.service.js';
import { PostsRepository } from './posts.repository.js';

export interface FlaggedQuery {
  channelId: string;
  teamId: string;
  page: number;
  perPage: number;
}

/** Saved ("flagged") posts: preferences of category flagged_post, named by the post's id. */
@Injectable()
export class SavedPostsService {
  constructor(
    private readonly repo: PostsRepository,
    private readonly channels: ChannelsRepository,
    private readonly access: PostAccess,
    private readonly views: PostViews,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * GET /users/{user_id}/posts/flagged (getFlaggedPostsForUser): the user themself or someone
   * with edit_other_users. A page of the user's flagged live posts in channels they belong to,
   * newest first, filtered by channel_id, else by team_id (whose filter keeps direct and group
   * messages), and then to the channels the caller may read, so a page can come out short.
   */
  async flagged(session: Session, userId: string, q: FlaggedQuery): Promise<PostListView> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const filter = q.channelId ? { channelId: q.channelId } : q.teamId ? { teamId: q.teamId } : {};
    const rows = await this.repo.flagged(userId, filter, q.page * q.perPage, q.perPage);
    const readable = await this.readableChannels(session, [...new Set(rows.map((r) => r.channel_id))]);
    const visible = rows.filter((r) => readable.has(r.channel_id));
    return makePostList(await this.views.many(visible));
  }

  private async readableChannels(session: Session, ids: string[]): Promise<Set<string>> {
    const channels: ChannelRow[] = ids.length ? await this.channels.byIds(ids) : [];
    const readable = new Set<string>();
    for (const channel of channels) if (await this.access.canRead(session, channel)) readable.add(channel.id);
    return readable;
  }
}
