import { Injectable, Logger } from '@nestjs/common';
import { badRequest, isValidId, permissionDenied } from '#common';
import { ConfigService } from '#config';
import type { Queryable } from '#db';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { mayCreatePost } from './create-post-permission.js';
import { DraftInput, DraftRow, draftsDisabled, DraftView, draftView, validateDraft } from './draft.model.js';
import { DraftsRepository } from './drafts.repository.js';

/**
 * Drafts synced across a user's devices (api4/drafts.go, app/draft.go). A draft belongs to the
 * caller and nobody else: every route works on the session's own rows whatever user id the URL
 * names, so another user's drafts can never be read or deleted.
 */
@Injectable()
export class DraftsService {
  private readonly log = new Logger('drafts');

  constructor(
    private readonly repo: DraftsRepository,
    private readonly permissions: PermissionsService,
    private readonly channels: ChannelsRepository,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
  ) {}

  /** ServiceSettings.AllowSyncedDrafts off: every route answers 501, as Mattermost's. */
  private requireEnabled(): void {
    if (!this.config.get().ServiceSettings.AllowSyncedDrafts) throw draftsDisabled();
  }

  /**
   * POST /drafts. Needs the right to post in the channel; an empty message deletes the draft
   * instead and answers null (UpsertDraft), without an event.
   */
  async upsert(session: Session, input: DraftInput, connectionId: string): Promise<DraftView | null> {
    this.requireEnabled();
    const channel = isValidId(input.channel_id) ? await this.channels.byId(input.channel_id) : undefined;
    if (!channel || !(await mayCreatePost(this.permissions, session, channel))) throw permissionDenied('create_post');
    if (channel.delete_at !== 0) throw badRequest('api.draft.create_draft.can_not_draft_to_deleted.error', 'Cannot draft in a deleted channel.');
    if (input.message === '') {
      await this.repo.delete(session.user_id, input.channel_id, input.root_id);
      return null;
    }
    const now = Date.now();
    const row: DraftRow = {
      create_at: input.create_at || now,
      update_at: now,
      delete_at: 0,
      user_id: session.user_id,
      channel_id: input.channel_id,
      root_id: input.root_id,
      message: input.message,
      props: input.props,
      file_ids: input.file_ids,
      priority: input.priority,
    };
    validateDraft(row);
    const view = draftView(await this.repo.upsert(row), true);
    this.announce(WsEvents.DraftCreated, view, connectionId);
    return view;
  }

  /**
   * GET /users/{user_id}/teams/{team_id}/drafts: the caller's drafts in that team and in their
   * direct and group messages. Mattermost asks for view_team and names create_post when refusing.
   */
  async list(session: Session, teamId: string): Promise<DraftView[]> {
    this.requireEnabled();
    if (!(await this.permissions.hasTeam(session, teamId, 'view_team'))) throw permissionDenied('create_post');
    return (await this.repo.forUserInTeam(session.user_id, teamId)).map((row) => draftView(row, true));
  }

  /** DELETE /users/{user_id}/channels/{channel_id}/drafts[/{thread_id}]: OK also when there was none. */
  async delete(session: Session, channelId: string, rootId: string, connectionId: string): Promise<void> {
    this.requireEnabled();
    const deleted = await this.repo.delete(session.user_id, channelId, rootId);
    if (deleted) this.announce(WsEvents.DraftDeleted, draftView(deleted, false), connectionId);
  }

  /**
   * A post is being created in `tx`: the author's draft for that channel and thread is spent.
   * Mattermost's apps delete it themselves after sending (a DELETE that then finds nothing, which
   * is OK); doing it here as well clears it on every device (draft_deleted, once committed) also
   * for clients that do not, and for scheduled posts. A statement of the post's own transaction,
   * so it costs the post no round trip of its own. A draft saved after `postedAt` is a new one and
   * stays. Settles once the transaction has committed.
   */
  async clearWithPost(tx: Queryable, userId: string, channelId: string, rootId: string, postedAt: number): Promise<void> {
    if (!this.config.get().ServiceSettings.AllowSyncedDrafts) return;
    const deleted = await this.repo.deleteSavedBy(userId, channelId, rootId, postedAt, tx);
    if (deleted) this.announce(WsEvents.DraftDeleted, draftView(deleted, false), '');
  }

  /**
   * A post was deleted: replies anyone was drafting in its thread have nothing to answer any more
   * (deleteDraftsAssociatedWithPost; Mattermost sends no event for these). Never fails the delete.
   */
  clearThread(channelId: string, rootId: string): void {
    this.repo
      .deleteThread(channelId, rootId)
      .catch((err: unknown) => this.log.warn(`thread drafts not cleared after a delete: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** To the draft's owner only, minus the connection that made the change (data.draft is a JSON string). */
  private announce(event: string, draft: DraftView, connectionId: string): void {
    this.publisher.publish(
      newEvent(event, { user_id: draft.user_id, channel_id: draft.channel_id, omit_connection_id: connectionId }, { draft: JSON.stringify(draft) }),
    );
  }
}
