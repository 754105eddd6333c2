import { Injectable } from '@nestjs/common';
import { forbidden, notFound } from '#common';
import { ConfigService } from '#config';
import { Database, Queryable } from '#db';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { hasRole } from '../common/session.js';
import type { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { PostAccess, postNotFound } from './post-access.service.js';
import { ACK_UNDO_WINDOW_MS, acknowledgementView, checkPriority, PostAcknowledgementView, PostPriorityView, PriorityRules } from './post-priority.js';
import { PostPriorityRepository } from './post-priority.repository.js';
import type { PostRow } from './post.model.js';
import { PostsRepository } from './posts.repository.js';

/**
 * Message priority (`metadata.priority` on a root post) and acknowledgements of posts
 * (app/post_acknowledgements.go). No licence is asked for either: this server gates no feature.
 */
@Injectable()
export class PostPriorityService {
  constructor(
    private readonly priorities: PostPriorityRepository,
    private readonly posts: PostsRepository,
    private readonly members: ChannelMembersRepository,
    private readonly access: PostAccess,
    private readonly permissions: PermissionsService,
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
  ) {}

  private rules(): PriorityRules {
    const s = this.config.get().ServiceSettings;
    return {
      enabled: s.PostPriority,
      persistentNotifications: s.AllowPersistentNotifications,
      persistentNotificationsForGuests: s.AllowPersistentNotificationsForGuests,
    };
  }

  /** Refuses the priority a new post was sent with if its poster may not give it there: before its transaction. */
  checkForNewPost(priority: PostPriorityView | null | undefined, post: Pick<PostRow, 'root_id'>, poster: { id: string; roles: string }): void {
    if (priority) checkPriority(priority, { userId: poster.id, isGuest: hasRole(poster.roles, 'system_guest'), rootId: post.root_id }, this.rules());
  }

  /**
   * Saves the priority a new post was sent with (checkForNewPost), in the post's transaction:
   * nothing without one. An urgent post also counts as an urgent mention for the members it
   * mentions. Both statements are asked for at once, as a one-trip transaction needs.
   */
  async saveForNewPost(
    tx: Queryable,
    post: Pick<PostRow, 'id' | 'channel_id'>,
    priority: PostPriorityView | null | undefined,
    mentionedUserIds: string[],
  ): Promise<void> {
    if (!priority) return;
    await Promise.all([
      this.priorities.savePriority(tx, { post_id: post.id, channel_id: post.channel_id, ...priority }),
      priority.priority === 'urgent' ? this.members.incrementUrgentMentions(post.channel_id, mentionedUserIds, tx) : undefined,
    ]);
  }

  // ---- acknowledgements -------------------------------------------------------------------------

  /**
   * POST /users/{user_id}/posts/{post_id}/ack (acknowledgePost): the user themself or someone with
   * edit_other_users, who must be able to read the post's channel (read_channel_content, as
   * SessionHasPermissionToChannelByPost: a missing post is a 403 too); the post must be live and
   * its channel not archived. Acknowledging again renews the time.
   */
  async acknowledge(session: Session, userId: string, postId: string): Promise<PostAcknowledgementView> {
    const post = await this.ackablePost(session, userId, postId, 'save');
    const ack = await this.db.transaction(async (tx) => {
      const now = Date.now();
      const saved = await this.priorities.saveAcknowledgement(tx, { user_id: userId, post_id: post.id, acknowledged_at: now, channel_id: post.channel_id });
      await this.touchPost(tx, post, now);
      return saved;
    });
    this.announce(WsEvents.PostAcknowledgementAdded, ack);
    return acknowledgementView(ack);
  }

  /**
   * DELETE /users/{user_id}/posts/{post_id}/ack (unacknowledgePost): as acknowledging, then the
   * acknowledgement must exist (404) and be at most five minutes old (403).
   */
  async unacknowledge(session: Session, userId: string, postId: string): Promise<void> {
    const post = await this.ackablePost(session, userId, postId, 'delete');
    const ack = await this.priorities.acknowledgement(post.id, userId);
    if (!ack) throw notFound('app.acknowledgement.get.app_error', 'Unable to get acknowledgement.');
    if (Date.now() - ack.acknowledged_at > ACK_UNDO_WINDOW_MS) {
      throw forbidden('api.acknowledgement.delete.deadline.app_error', 'You cannot remove an acknowledgement after 5 minutes.');
    }
    const removed = await this.db.transaction(async (tx) => {
      const gone = await this.priorities.deleteAcknowledgement(tx, post.id, userId);
      if (gone) await this.touchPost(tx, post, Date.now());
      return gone;
    });
    if (removed) this.announce(WsEvents.PostAcknowledgementRemoved, ack);
  }

  private async ackablePost(session: Session, userId: string, postId: string, op: 'save' | 'delete'): Promise<PostRow> {
    this.permissions.requireSelfOrAdmin(session, userId);
    await this.access.requireOnPost(session, postId, 'read_channel_content');
    const post = await this.posts.byId(postId);
    if (!post) throw postNotFound(postId);
    const channel = await this.access.channel(post.channel_id);
    if (channel.delete_at > 0) {
      throw forbidden(`api.acknowledgement.${op}.archived_channel.app_error`, 'You cannot acknowledge a message in an archived channel.');
    }
    return post;
  }

  /** The post changes with its acknowledgements, so channel ETags and `since` see them. */
  private async touchPost(tx: Queryable, post: PostRow, now: number): Promise<void> {
    await this.posts.touch(tx, post.id, await this.posts.nextChangeAt(tx, post.channel_id, now));
  }

  /** To the post's channel, the acknowledgement as a JSON string (sendAcknowledgementEvent). */
  private announce(event: string, ack: PostAcknowledgementView): void {
    this.publisher.publish(newEvent(event, { channel_id: ack.channel_id }, { acknowledgement: JSON.stringify(acknowledgementView(ack)) }));
  }
}
