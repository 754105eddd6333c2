import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '#config';
import { MailQueue } from '#mail';
import type { PostNotification } from '../notifications/post-notification.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { TeamsRepository } from '../teams/teams.repository.js';
import { EmailBatchRepository } from './email-batch.repository.js';
import { batchIntervalSeconds, EMAIL_INTERVAL_CATEGORY, EMAIL_INTERVAL_NAME } from './email-interval.js';
import { preferredTimezone } from './templates/dates.js';
import { siteOf } from './templates/layout.js';
import { NotificationItem, notificationMail } from './templates/notification-mails.js';

export type EmailOutcome = 'queued' | 'batched' | 'skipped';

/**
 * The email channel of post notifications. The notifications engine has decided that the recipient
 * gets a mail (their status, notify props, mention kind); this delivers it: now, through the
 * retrying queue, or into the user's next digest when EmailSettings.EnableEmailBatching is on and
 * their `email_interval` preference is not "immediately" (Mattermost's sendNotificationEmail).
 */
@Injectable()
export class EmailNotificationsService {
  private readonly log = new Logger('email-notifications');

  constructor(
    private readonly config: ConfigService,
    private readonly preferences: PreferencesRepository,
    private readonly batches: EmailBatchRepository,
    private readonly queue: MailQueue,
    private readonly teams: TeamsRepository,
  ) {}

  /** Never throws and never waits for the database or SMTP: the post's request goes on at once. */
  sendPostNotification(n: PostNotification): void {
    this.deliver(n).catch((err) =>
      this.log.warn(`email notification of post ${n.post.id} for ${n.recipient.id} not delivered: ${err instanceof Error ? err.message : err}`),
    );
  }

  /** sendPostNotification's work, awaitable: what became of the notification. */
  async deliver(n: PostNotification): Promise<EmailOutcome> {
    const cfg = this.config.get();
    if (!cfg.EmailSettings.SendEmailNotifications || !n.recipient.email || n.recipient.delete_at > 0) return 'skipped';
    const item = await this.item(n);
    if (cfg.EmailSettings.EnableEmailBatching && (await this.batchesFor(n.recipient.id))) {
      if (await this.batches.add(n.recipient.id, item, cfg.EmailSettings.EmailBatchingBufferSize)) return 'batched';
      this.log.warn(
        `user ${n.recipient.id} has ${cfg.EmailSettings.EmailBatchingBufferSize} notifications waiting (EmailBatchingBufferSize): mailing this one now`,
      );
    }
    const mail = notificationMail(siteOf(cfg), item, {
      contents: cfg.EmailSettings.EmailNotificationContentsType === 'generic' ? 'generic' : 'full',
      zone: preferredTimezone(n.recipient.timezone),
      channelInSubject: cfg.EmailSettings.UseChannelInEmailNotifications,
    });
    const { messageId, inReplyTo, ...body } = mail;
    this.queue.enqueue({ to: n.recipient.email, category: 'Notification', ...body, messageId, ...(inReplyTo ? { inReplyTo, references: inReplyTo } : {}) });
    return 'queued';
  }

  /** Whether the user's mails wait for a digest (no preference: yes, as Mattermost). */
  private async batchesFor(userId: string): Promise<boolean> {
    const pref = await this.preferences.one(userId, EMAIL_INTERVAL_CATEGORY, EMAIL_INTERVAL_NAME);
    return batchIntervalSeconds(pref?.value) !== null;
  }

  /** What the mail says, fixed now (a digest shows the post as it was when it was posted). */
  private async item(n: PostNotification): Promise<NotificationItem> {
    // A DM or group message has no team; its permalink goes through one of the recipient's.
    const team = n.team ?? (await this.teams.forUser(n.recipient.id))[0] ?? null;
    return {
      post_id: n.post.id,
      root_id: n.post.root_id,
      channel_id: n.channel.id,
      channel_type: n.channel.type,
      create_at: n.post.create_at,
      sender_name: n.senderName,
      channel_name: n.channelName,
      team_name: team?.name ?? '',
      team_display_name: team?.display_name ?? '',
      message: n.post.message,
      file_count: n.post.file_ids?.length ?? 0,
      reason: n.reason,
      thread: n.collapsedThreads && n.post.root_id !== '',
    };
  }
}
