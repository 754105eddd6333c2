import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { MailDriver, MailSendError } from '#mail';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { BatchRow, EmailBatchRepository } from './email-batch.repository.js';
import { batchIntervalSeconds, EMAIL_INTERVAL_CATEGORY, EMAIL_INTERVAL_NAME } from './email-interval.js';
import { preferredTimezone } from './templates/dates.js';
import { siteOf } from './templates/layout.js';
import { digestMail } from './templates/notification-mails.js';

export interface DigestRun {
  /** Users whose batch was due. */
  users: number;
  /** Digests mailed. */
  mails: number;
  /** Notifications left out: the channel was viewed since, or the user cannot get mail any more. */
  skipped: number;
}

/**
 * Email batching's digests (Mattermost's EmailBatchingJob.checkPendingNotifications), run by the
 * email_batching job: a user's batch is due once its oldest notification is older than their
 * interval; it is claimed and mailed as one digest inside one transaction, so that two runs never
 * mail the same notification, and a mail the SMTP server could not take (it is down) rolls the
 * claim back for the next run. Notifications of channels the user viewed after the post are left
 * out (Mattermost drops the user's whole batch when they viewed any channel of the team).
 */
@Injectable()
export class EmailDigests {
  private readonly log = new Logger('email-batching');

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly batches: EmailBatchRepository,
    private readonly preferences: PreferencesRepository,
    private readonly members: ChannelMembersRepository,
    private readonly users: UsersRepository,
    private readonly mail: MailDriver,
  ) {}

  /** Mails every due batch; stops between users when `signal` is aborted. */
  async sendDue(opts: { now?: number; signal?: AbortSignal } = {}): Promise<DigestRun> {
    const now = opts.now ?? Date.now();
    const run: DigestRun = { users: 0, mails: 0, skipped: 0 };
    for (const userId of await this.dueUsers(now)) {
      if (opts.signal?.aborted) break;
      run.users++;
      const sent = await this.sendDigest(userId);
      run.mails += sent.mailed ? 1 : 0;
      run.skipped += sent.skipped;
    }
    return run;
  }

  /** Users whose oldest waiting notification is older than their interval. */
  private async dueUsers(now: number): Promise<string[]> {
    const pending = await this.batches.pendingUsers();
    if (pending.length === 0) return [];
    const prefs = await this.preferences.oneForUsers(
      pending.map((p) => p.user_id),
      EMAIL_INTERVAL_CATEGORY,
      EMAIL_INTERVAL_NAME,
    );
    const byUser = new Map(prefs.map((p) => [p.user_id, p.value]));
    // A user who chose "immediately" after their notifications were batched gets them at the next run.
    return pending.filter((p) => p.first_at + (batchIntervalSeconds(byUser.get(p.user_id)) ?? 0) * 1000 <= now).map((p) => p.user_id);
  }

  /** Claims and mails one user's batch; what was claimed and not mailed because of SMTP goes back. */
  async sendDigest(userId: string): Promise<{ mailed: boolean; skipped: number }> {
    try {
      return await this.db.transaction(async (tx) => {
        const rows = await this.batches.claim(userId, tx);
        if (rows.length === 0) return { mailed: false, skipped: 0 };
        const user = await this.users.byId(userId);
        const items = await this.unviewed(userId, rows);
        const skipped = rows.length - items.length;
        if (!user || user.delete_at > 0 || !user.email || !this.config.get().EmailSettings.SendEmailNotifications || items.length === 0) {
          return { mailed: false, skipped: rows.length };
        }
        const cfg = this.config.get();
        const mail = digestMail(siteOf(cfg), items, {
          contents: cfg.EmailSettings.EmailNotificationContentsType === 'generic' ? 'generic' : 'full',
          zone: preferredTimezone(user.timezone),
          channelInSubject: cfg.EmailSettings.UseChannelInEmailNotifications,
        });
        try {
          await this.mail.send({ to: user.email, category: 'BatchedEmailNotification', ...mail });
        } catch (err) {
          // The server refused this very mail (5xx): trying again will not help, so the batch goes.
          if (!(err instanceof MailSendError && err.permanent)) throw err;
          this.log.error(`digest for ${userId} refused by the SMTP server, dropped: ${err.message}`);
          return { mailed: false, skipped: rows.length };
        }
        return { mailed: true, skipped };
      });
    } catch (err) {
      this.log.warn(`digest for ${userId} not sent, kept for the next run: ${err instanceof Error ? err.message : err}`);
      return { mailed: false, skipped: 0 };
    }
  }

  /** The notifications whose channel the user has not viewed since the post, oldest first. */
  private async unviewed(userId: string, rows: BatchRow[]) {
    const viewed = await this.members.lastViewedAt(userId, [...new Set(rows.map((r) => r.channel_id))]);
    return rows
      .filter((r) => !((viewed.get(r.channel_id) ?? 0) >= r.post_create_at))
      .sort((a, b) => a.post_create_at - b.post_create_at)
      .map((r) => r.data);
  }
}
