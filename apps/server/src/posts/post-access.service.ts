import { Injectable } from '@nestjs/common';
import { notFound, permissionDenied } from '#common';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { PostRow } from './post.model.js';
import { PostsRepository } from './posts.repository.js';

export function postNotFound(id: string) {
  return notFound('app.post.get.app_error', 'Unable to get the post.', `post_id=${id}`);
}

export function channelNotFound(id: string) {
  return notFound('app.channel.get.existing.app_error', 'Unable to find the existing channel.', `channel_id=${id}`);
}

/** Who may see and act on posts: the checks shared by posts and reactions. */
@Injectable()
export class PostAccess {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly repo: PostsRepository,
    private readonly channels: ChannelsRepository,
  ) {}

  async channel(id: string): Promise<ChannelRow> {
    const channel = await this.channels.byId(id);
    if (!channel) throw channelNotFound(id);
    return channel;
  }

  /**
   * SessionHasPermissionToReadChannel: channel members (and admins) read; anyone on the team may
   * read a public channel without joining it.
   */
  async canRead(session: Session, channel: Pick<ChannelRow, 'id' | 'type' | 'team_id'>): Promise<boolean> {
    if (await this.permissions.hasChannel(session, channel.id, 'read_channel_content')) return true;
    return channel.type === 'O' && (await this.permissions.hasTeam(session, channel.team_id, 'read_public_channel'));
  }

  async requireRead(session: Session, channel: Pick<ChannelRow, 'id' | 'type' | 'team_id'>): Promise<void> {
    if (!(await this.canRead(session, channel))) {
      throw permissionDenied(channel.type === 'O' ? 'read_public_channel' : 'read_channel_content');
    }
  }

  /** A live post the caller may read (404 when missing, 403 when hidden), with its channel. */
  async readablePost(session: Session, postId: string, includeDeleted = false): Promise<{ post: PostRow; channel: ChannelRow }> {
    const post = await this.repo.byId(postId, includeDeleted);
    if (!post) throw postNotFound(postId);
    const channel = await this.channel(post.channel_id);
    await this.requireRead(session, channel);
    return { post, channel };
  }

  /**
   * SessionHasPermissionToChannelByPost: the permission on the channel a post lives in. A post
   * that does not exist grants nothing (403), as in Mattermost.
   */
  async requireOnPost(session: Session, postId: string, permission: string): Promise<PostRow> {
    const post = await this.repo.byId(postId, true);
    if (!post || !(await this.permissions.hasChannel(session, post.channel_id, permission))) throw permissionDenied(permission);
    return post;
  }
}
