import { Injectable } from '@nestjs/common';
import { badRequest, forbidden } from '#common';
import { Database } from '#db';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import type { Session } from '../common/session.js';
import { PostAccess, postNotFound } from '../posts/post-access.service.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { ReactionRow, reactionView, ReactionView } from '../posts/reaction-view.js';
import { ReactionsRepository } from '../posts/reactions.repository.js';
import { assertValidEmojiName, UNIQUE_EMOJI_REACTIONS_PER_POST } from './reaction.model.js';

/** Emoji reactions on posts (app/reaction.go), with their reaction_added / reaction_removed events. */
@Injectable()
export class ReactionsService {
  constructor(
    private readonly repo: ReactionsRepository,
    private readonly posts: PostsRepository,
    private readonly access: PostAccess,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly db: Database,
  ) {}

  async add(session: Session, input: { user_id: string; post_id: string; emoji_name: string }): Promise<ReactionView> {
    if (input.user_id !== session.user_id) {
      throw forbidden('api.reaction.save_reaction.user_id.app_error', 'You may only react as yourself.');
    }
    const post = await this.access.requireOnPost(session, input.post_id, 'add_reaction');
    if (post.delete_at !== 0) throw postNotFound(post.id);
    assertValidEmojiName(input.emoji_name);
    const channel = await this.access.channel(post.channel_id);
    this.refuseArchived(channel, 'save');
    const emojis = await this.repo.emojiCount(post.id);
    if (!emojis.hasEmoji(input.emoji_name) && emojis.distinct >= UNIQUE_EMOJI_REACTIONS_PER_POST) {
      throw badRequest('app.reaction.save.save.too_many_reactions', `A post can have at most ${UNIQUE_EMOJI_REACTIONS_PER_POST} different reactions.`);
    }
    const now = Date.now();
    // One round trip (Database.transactionInOneTrip): the post is marked after the reaction is saved.
    const saved = await this.db.transactionInOneTrip((tx) =>
      Promise.all([
        this.repo.save(tx, { ...input, channel_id: post.channel_id, create_at: now }),
        this.posts.reactionsChanged(tx, post.id, post.channel_id, now),
      ]).then(([row]) => row),
    );
    const view = reactionView(saved);
    this.publish(WsEvents.ReactionAdded, view);
    return view;
  }

  async remove(session: Session, userId: string, postId: string, emojiName: string): Promise<void> {
    const post = await this.access.requireOnPost(session, postId, 'remove_reaction');
    if (userId !== session.user_id) this.permissions.requireSystem(session, 'remove_others_reactions');
    if (post.delete_at !== 0) throw postNotFound(post.id);
    this.refuseArchived(await this.access.channel(post.channel_id), 'delete');
    const now = Date.now();
    const deleted = await this.db.transactionInOneTrip((tx) =>
      Promise.all([this.repo.delete(tx, postId, userId, emojiName), this.posts.reactionsChanged(tx, postId, post.channel_id, now)]).then(([row]) => row),
    );
    const removed: ReactionRow = deleted ?? {
      user_id: userId,
      post_id: postId,
      emoji_name: emojiName,
      channel_id: post.channel_id,
      create_at: 0,
    };
    this.publish(WsEvents.ReactionRemoved, reactionView(removed, now));
  }

  async forPost(session: Session, postId: string): Promise<ReactionView[]> {
    await this.access.requireOnPost(session, postId, 'read_channel_content');
    return (await this.repo.forPost(postId)).map((r) => reactionView(r));
  }

  /** POST /posts/ids/reactions: every post must be readable; each id maps to its (maybe empty) list. */
  async forPosts(session: Session, postIds: string[]): Promise<Record<string, ReactionView[]>> {
    for (const id of postIds) await this.access.requireOnPost(session, id, 'read_channel_content');
    const result: Record<string, ReactionView[]> = Object.fromEntries(postIds.map((id) => [id, []]));
    for (const row of await this.repo.forPosts(postIds)) result[row.post_id].push(reactionView(row));
    return result;
  }

  private refuseArchived(channel: ChannelRow, action: 'save' | 'delete') {
    if (channel.delete_at !== 0) {
      throw forbidden(`api.reaction.${action}.archived_channel.app_error`, 'You cannot react to posts in an archived channel.');
    }
  }

  private publish(event: string, reaction: ReactionView) {
    this.publisher.publish(newEvent(event, { channel_id: reaction.channel_id }, { reaction: JSON.stringify(reaction) }));
  }
}
