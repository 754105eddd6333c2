import { ConfigService, type Config } from '#config';
import type { Schedule } from '#jobs';
import { MailDriver } from '#mail';
import { SessionsRepository } from '../../auth/sessions.repository.js';
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
    private readonly sessions: SessionsRepository,
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
      const marked = await this.sessions.markExpiredMobileNotified(now - EXPIRY_WINDOW_MS, now, BATCH);
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
