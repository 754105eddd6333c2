import { ConfigService, type Config } from '#config';
import { Database } from '#db';
import type { Schedule } from '#jobs';
import { MailDriver } from '#mail';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

const BATCH = 500;
/** Sessions that expired within the last hour (Mattermost's OneHourMillis window). */
export const EXPIRY_WINDOW_MS = 3_600_000;

/**
 * expiry_notify, every 10 minutes while sessions are extended with activity (as Mattermost):
 * tells the owners of mobile sessions that expired within the last hour, once per session.
 * Mattermost sends a push notification; this server sends it through the mail driver seam, and
 * the only driver so far records instead of sending (sending comes with the notifications issue).
 * Each session is marked expired_notify before its message goes out, so a job that is retried
 * after a crash never notifies twice (at most once per session).
 */
export class ExpiryNotifyJob extends JobHandler {
  readonly type = JobType.ExpiryNotify;

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly mail: MailDriver,
  ) {
    super();
  }

  schedule(config: Config): Schedule | null {
    return config.ServiceSettings.ExtendSessionLengthWithActivity ? { every: 10 * 60_000 } : null;
  }

  async run(ctx: JobContext): Promise<void> {
    const cfg = this.config.get();
    if (!cfg.EmailSettings.SendEmailNotifications) {
      ctx.setData({ notified: '0', skipped: 'EmailSettings.SendEmailNotifications is off' });
      return;
    }
    const now = Date.now();
    let notified = 0;
    for (;;) {
      checkAborted(ctx.signal);
      const marked = await this.db.query<{ user_id: string; email: string | null }>(
        `WITH due AS (
           UPDATE sessions SET expired_notify = true
            WHERE id IN (SELECT id FROM sessions
                          WHERE device_id <> '' AND NOT expired_notify AND expires_at > $1 AND expires_at <= $2
                          LIMIT $3)
            RETURNING user_id)
         SELECT due.user_id, u.email FROM due LEFT JOIN users u ON u.id = due.user_id`,
        [now - EXPIRY_WINDOW_MS, now, BATCH],
      );
      for (const m of marked) {
        if (!m.email) continue;
        await this.mail.send({
          to: m.email,
          category: this.type,
          subject: `[${cfg.TeamSettings.SiteName}] Session expired`,
          text:
            `Your session on ${cfg.TeamSettings.SiteName} has expired: log in again to keep receiving notifications. ` +
            `Mobile sessions on this server last ${cfg.ServiceSettings.SessionLengthMobileInHours} hours.`,
        });
        notified++;
      }
      ctx.setData({ notified: String(notified), mail_sent: String(this.mail.sends ? notified : 0) });
      if (marked.length < BATCH) break;
    }
  }
}
