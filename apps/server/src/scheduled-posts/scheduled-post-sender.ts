import { Injectable, Logger } from '@nestjs/common';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { EventPublisher, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import { sessionFor, type Session } from '../common/session.js';
import { mayCreatePost } from '../drafts/create-post-permission.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { PostsService } from '../posts/posts.service.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { scheduledPostEvent } from './scheduled-post-events.js';
import { ScheduledPostError, ScheduledPostRow, scheduledPostView } from './scheduled-post.model.js';
import { ScheduledPostsRepository } from './scheduled-posts.repository.js';

/** Posts due longer ago than this are not sent any more (ProcessScheduledPosts' 24-hour window). */
export const SEND_WINDOW_MS = 24 * 60 * 60 * 1000;
/** A claim older than this whose row is neither sent nor failed belongs to a node that died sending it. */
export const STUCK_CLAIM_MS = 10 * 60 * 1000;

export interface SendReport {
  sent: number;
  failed: number;
  expired: number;
}

/**
 * Sends the scheduled posts that are due (app/scheduled_post_job.go), each exactly once: a row is
 * claimed with a compare-and-set before anything is posted, so a second node or a retried job
 * finds nothing to take. A row is then either deleted (sent) or keeps its claim with an error
 * code (not sent); a node dying in between leaves a claim that expireStale turns into
 * unable_to_send, never a second post.
 */
@Injectable()
export class ScheduledPostSender {
  private readonly log = new Logger('scheduled-posts');

  constructor(
    private readonly repo: ScheduledPostsRepository,
    private readonly posts: PostsService,
    private readonly postRows: PostsRepository,
    private readonly channels: ChannelsRepository,
    private readonly users: UsersRepository,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly publisher: EventPublisher,
  ) {}

  /** One pass: everything due now, then the give-ups. `stop` is checked between posts. */
  async sendDue(stop: () => boolean = () => false): Promise<SendReport> {
    const report: SendReport = { sent: 0, failed: 0, expired: 0 };
    if (!this.config.get().ServiceSettings.ScheduledPosts) return report;
    const now = Date.now();
    const oldest = now - SEND_WINDOW_MS;
    while (!stop()) {
      // Claimed as of now, not of the pass's start: a long pass's last claim is not stale.
      const row = await this.repo.claimNextDue(now, oldest, Date.now());
      if (!row) break;
      if (await this.sendOne(row)) report.sent++;
      else report.failed++;
    }
    const expired = await this.repo.expireStale(oldest, Date.now() - STUCK_CLAIM_MS, Date.now());
    for (const row of expired) this.announce(WsEvents.ScheduledPostUpdated, row);
    report.expired = expired.length;
    return report;
  }

  /** Posts one claimed row; true when it went out. */
  private async sendOne(row: ScheduledPostRow): Promise<boolean> {
    let code: string;
    try {
      code = await this.postIfAllowed(row);
    } catch (err) {
      // A refusal of the post itself (Mattermost records any CreatePost error as unknown).
      if (!(err instanceof AppError)) this.log.error(`scheduled post ${row.id} not sent: ${err instanceof Error ? err.message : String(err)}`);
      code = ScheduledPostError.Unknown;
    }
    if (code === '') {
      await this.repo.deleteSent(row.id, row.claimed_at);
      this.announce(WsEvents.ScheduledPostDeleted, row);
      return true;
    }
    const failed = await this.repo.markFailed(row.id, row.claimed_at, code, Date.now());
    if (failed) this.announce(WsEvents.ScheduledPostUpdated, failed);
    return false;
  }

  /** '' once posted, else the error code of the check that stopped it (canPostScheduledPost). */
  private async postIfAllowed(row: ScheduledPostRow): Promise<string> {
    const channel = await this.channels.byId(row.channel_id);
    if (!channel) return ScheduledPostError.ChannelNotFound;
    const user = await this.users.byId(row.user_id);
    if (!user) return ScheduledPostError.UserMissing;
    if (user.delete_at !== 0) return ScheduledPostError.UserDeleted;
    if (channel.delete_at !== 0) return ScheduledPostError.ChannelArchived;
    if (row.root_id !== '') {
      const root = await this.postRows.byId(row.root_id, true);
      if (!root || root.delete_at !== 0) return ScheduledPostError.ThreadDeleted;
    }
    const session = sessionFor(user);
    if (!(await mayCreatePost(this.permissions, session, channel))) return ScheduledPostError.NoChannelPermission;
    await this.posts.create(
      session,
      {
        channel_id: row.channel_id,
        root_id: row.root_id,
        message: row.message,
        file_ids: row.file_ids,
        props: row.props,
        pending_post_id: '',
        type: '',
        create_at: 0,
      },
      false,
    );
    return '';
  }

  private announce(event: string, row: ScheduledPostRow): void {
    this.publisher.publish(scheduledPostEvent(event, scheduledPostView(row), ''));
  }
}
