import type { Config } from '#config';
import type { Schedule } from '#jobs';
import { SessionsRepository } from '../../auth/sessions.repository.js';
import { TokensRepository } from '../../email/tokens.repository.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

const BATCH = 1000;
/** Expired sessions stay an hour, so that expiry_notify (every 10 minutes) still finds them. */
export const SESSION_CLEANUP_GRACE_MS = 3_600_000;

/**
 * Deletes sessions that expired (Mattermost's doSessionCleanup, a recurring task there), in
 * batches, and mailed link tokens past their lifetime (its doTokenCleanup, run beside it). Neither
 * can authenticate any more; this only reclaims the rows.
 */
export class CleanupExpiredSessionsJob extends JobHandler {
  readonly type = JobType.CleanupExpiredSessions;

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly tokens: TokensRepository,
  ) {
    super();
  }

  schedule(config: Config): Schedule {
    return { every: config.JobSettings.CleanupIntervalSeconds * 1000 };
  }

  async run(ctx: JobContext): Promise<void> {
    const cutoff = Date.now() - SESSION_CLEANUP_GRACE_MS;
    const total = await this.sessions.countExpiredBefore(cutoff);
    let deleted = 0;
    for (;;) {
      checkAborted(ctx.signal);
      const batch = await this.sessions.deleteExpiredBatch(cutoff, BATCH);
      deleted += batch;
      ctx.setData({ deleted_sessions: String(deleted) });
      if (total > 0) await ctx.progress((Math.min(deleted, total) / total) * 100);
      if (batch < BATCH) break;
    }
    ctx.setData({ deleted_link_tokens: String(await this.tokens.deleteExpired()) });
  }
}
