import { Injectable } from '@nestjs/common';
import { badRequest, invalidUrlParam, isValidId, newId, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { EventPublisher, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { mayCreatePost } from '../drafts/create-post-permission.js';
import { scheduledPostEvent } from './scheduled-post-events.js';
import {
  ScheduledPostInput,
  scheduledPostNotFound,
  scheduledPostNotYours,
  ScheduledPostRow,
  scheduledPostsDisabled,
  ScheduledPostView,
  scheduledPostView,
  validateScheduledPost,
} from './scheduled-post.model.js';
import { ScheduledPostsRepository } from './scheduled-posts.repository.js';

/** The body of an update also carries what validation reads from the client's copy. */
export interface ScheduledPostUpdate extends ScheduledPostInput {
  create_at: number;
  user_id: string;
}

/**
 * A user's scheduled posts (api4/scheduled_post.go, app/scheduled_post.go): only the owner sees,
 * changes or deletes one, and only where they may post. The job that sends them is
 * ScheduledPostSender.
 */
@Injectable()
export class ScheduledPostsService {
  constructor(
    private readonly repo: ScheduledPostsRepository,
    private readonly permissions: PermissionsService,
    private readonly channels: ChannelsRepository,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * requireScheduledPostsEnabled. Mattermost also wants a license; this server has none to give,
   * so the setting alone decides.
   */
  private requireEnabled(): void {
    if (!this.config.get().ServiceSettings.ScheduledPosts) throw scheduledPostsDisabled();
  }

  /** POST /posts/schedule. */
  async create(session: Session, input: ScheduledPostInput, connectionId: string): Promise<ScheduledPostView> {
    this.requireEnabled();
    if (input.file_ids.length > 0) await this.permissions.requireChannel(session, input.channel_id, 'upload_file');
    const channel = await this.requireCreatePost(session, input.channel_id);
    const now = Date.now();
    const row: ScheduledPostRow = {
      id: newId(),
      create_at: now,
      update_at: now,
      user_id: session.user_id,
      channel_id: input.channel_id,
      root_id: input.root_id,
      message: input.message,
      props: input.props,
      file_ids: input.file_ids,
      priority: input.priority,
      scheduled_at: input.scheduled_at,
      processed_at: 0,
      error_code: '',
      claimed_at: 0,
    };
    validateScheduledPost(row, now);
    if (channel.delete_at > 0) {
      throw badRequest('app.save_scheduled_post.channel_deleted.app_error', 'Cannot schedule a post in an archived channel.', `channel_id=${channel.id}`);
    }
    await this.repo.insert(row);
    const view = scheduledPostView(row);
    this.publisher.publish(scheduledPostEvent(WsEvents.ScheduledPostCreated, view, connectionId));
    return view;
  }

  /**
   * PUT /posts/schedule/{id}. As in Mattermost, the permission check reads the channel the body
   * names and validation reads the body's own create_at and user_id; what is stored keeps the
   * row's id, author, channel and thread.
   */
  async update(session: Session, id: string, input: ScheduledPostUpdate, connectionId: string): Promise<ScheduledPostView> {
    this.requireEnabled();
    if (input.id !== id) throw invalidUrlParam('scheduled_post_id');
    const existing = await this.owned(session, id, 'update');
    const added = input.file_ids.filter((f) => !existing.file_ids.includes(f));
    if (added.length > 0) await this.permissions.requireChannel(session, existing.channel_id, 'upload_file');
    await this.requireCreatePost(session, input.channel_id);
    const now = Date.now();
    validateScheduledPost(
      { ...existing, ...input, create_at: input.create_at, user_id: input.user_id, update_at: now, processed_at: existing.processed_at, claimed_at: 0 },
      now,
    );
    const { message, props, file_ids, priority, scheduled_at, error_code } = input;
    const updated = await this.repo.update({ id, message, props, file_ids, priority, scheduled_at, error_code }, now);
    // Gone, or being sent this very moment: either way there is nothing left to edit.
    if (!updated) throw scheduledPostNotFound('update');
    const view = scheduledPostView(updated);
    this.publisher.publish(scheduledPostEvent(WsEvents.ScheduledPostUpdated, view, connectionId));
    return view;
  }

  /** DELETE /posts/schedule/{id}: answers with the deleted post. */
  async delete(session: Session, id: string, connectionId: string): Promise<ScheduledPostView> {
    this.requireEnabled();
    await this.owned(session, id, 'delete');
    const deleted = await this.repo.delete(id);
    if (!deleted) throw scheduledPostNotFound('delete');
    const view = scheduledPostView(deleted);
    this.publisher.publish(scheduledPostEvent(WsEvents.ScheduledPostDeleted, view, connectionId));
    return view;
  }

  /**
   * GET /posts/scheduled/team/{team_id}: `{<team_id>: [...]}`, plus `directChannels` (direct and
   * group messages) when asked. Needs view_team.
   */
  async listForTeam(session: Session, teamId: string, includeDirectChannels: boolean): Promise<Record<string, ScheduledPostView[]>> {
    this.requireEnabled();
    if (!isValidId(teamId)) throw invalidUrlParam('team_id');
    await this.permissions.requireTeam(session, teamId, 'view_team');
    const list = async (team: string) => (await this.repo.forUserInTeam(session.user_id, team)).map((row) => scheduledPostView(row, true));
    const answer: Record<string, ScheduledPostView[]> = { [teamId]: await list(teamId) };
    if (includeDirectChannels) answer.directChannels = await list('');
    return answer;
  }

  /**
   * A missing row is a 404 here; Mattermost's store answers its not-found with a 500
   * (app.*_scheduled_post.get_scheduled_post.error), which this server keeps for real failures.
   */
  private async owned(session: Session, id: string, op: 'update' | 'delete'): Promise<ScheduledPostRow> {
    const row = isValidId(id) ? await this.repo.get(id) : undefined;
    if (!row) throw scheduledPostNotFound(op);
    if (row.user_id !== session.user_id) throw scheduledPostNotYours(op);
    return row;
  }

  private async requireCreatePost(session: Session, channelId: string) {
    const channel = isValidId(channelId) ? await this.channels.byId(channelId) : undefined;
    if (!channel || !(await mayCreatePost(this.permissions, session, channel))) throw permissionDenied('create_post');
    return channel;
  }
}
