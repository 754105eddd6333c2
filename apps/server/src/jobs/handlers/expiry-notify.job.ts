import { ConfigService, type Config } from '#config';
import type { Schedule } from '#jobs';
import { MailDriver } from '#mail';
import { ExpiredMobileSession, SessionsRepository } from '../../auth/sessions.repository.js';
import { sessionExpiredMail } from '../../email/templates/account-mails.js';
import { siteOf } from '../../email/templates/layout.js';
import { checkAborted, JobContext, JobHandler, JobResult } from '../job-handler.js';
import { JobType } from '../job.model.js';

const BATCH = 500;
const PUSH_CONCURRENCY = 8;
/** Sessions that expired within the last hour (Mattermost's OneHourMillis window). */
export const EXPIRY_WINDOW_MS = 3_600_000;

/** The push side of expiry_notify (the push area's PushNotificationsService). */
export interface ExpiredSessionPush {
  /** Whether pushes go out at all (canSendPushNotifications). */
  enabled(): boolean;
  /** Tells the session's device it must sign in again; never throws. */
  sessionExpired(session: Pick<ExpiredMobileSession, 'id' | 'user_id' | 'device_id'>): Promise<void>;
}

/**
 * expiry_notify, every 10 minutes while sessions are extended with activity (as Mattermost):
 * tells the owners of mobile sessions that expired within the last hour, once per session.
 * Mattermost sends a push notification to the session's device (NotifySessionsExpired), which
 * this server sends too when pushes are on (`push`; the jobs CLI has none); it also mails the
 * owner (SMTP, EmailSettings). Each session is marked expired_notify before its messages go out,
 * so a job that is retried after a crash never notifies twice (at most once per session); a mail
 * the SMTP server does not take is counted and the job ends with a warning instead of stopping.
 */
export class ExpiryNotifyJob extends JobHandler {
  readonly type = JobType.ExpiryNotify;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly config: ConfigService,
    private readonly mail: MailDriver,
    private readonly push?: ExpiredSessionPush,
  ) {
    super();
  }

  schedule(config: Config): Schedule | null {
    return config.ServiceSettings.ExtendSessionLengthWithActivity ? { every: 10 * 60_000 } : null;
  }

  async run(ctx: JobContext): Promise<JobResult | void> {
    const cfg = this.config.get();
    const pushing = this.push?.enabled() ?? false;
    if (!cfg.EmailSettings.SendEmailNotifications && !pushing) {
      ctx.setData({ notified: '0', skipped: 'EmailSettings.SendEmailNotifications and SendPushNotifications are off' });
      return;
    }
    const now = Date.now();
    const mail = sessionExpiredMail(siteOf(cfg), { mobileHours: cfg.ServiceSettings.SessionLengthMobileInHours });
    let notified = 0;
    let pushed = 0;
    let sent = 0;
    let lastError = '';
    for (;;) {
      checkAborted(ctx.signal);
      const marked = await this.sessions.markExpiredMobileNotified(now - EXPIRY_WINDOW_MS, now, BATCH);
      if (pushing) {
        // A few at a time: each waits for the push proxy (up to its timeout when the proxy hangs).
        for (let i = 0; i < marked.length; i += PUSH_CONCURRENCY)
          await Promise.all(marked.slice(i, i + PUSH_CONCURRENCY).map((m) => this.push!.sessionExpired(m)));
        pushed += marked.length;
      }
      for (const m of marked) {
        if (!cfg.EmailSettings.SendEmailNotifications) break;
        if (!m.email) continue;
        notified++;
        try {
          await this.mail.send({ to: m.email, category: this.type, ...mail });
          sent++;
        } catch (err) {
          lastError = err instanceof Error ? err.message : String(err);
        }
      }
      ctx.setData({
        notified: String(notified),
        mail_sent: String(this.mail.sends ? sent : 0),
        mail_failed: String(notified - sent),
        ...(pushing ? { pushed: String(pushed) } : {}),
      });
      if (marked.length < BATCH) break;
    }
    if (sent < notified) return { warning: `${notified - sent} of ${notified} mails not sent: ${lastError}` };
  }
}
