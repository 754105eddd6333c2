import type { Config } from '#config';
import { Database } from '#db';
import type { Schedule } from '#jobs';
import { InvalidationBus } from '#realtime';
import { SessionsRepository } from '../../auth/sessions.repository.js';
import { sessionInvalidationKey } from '../../common/session.js';
import { AccessTokensRepository } from '../../users/access-tokens.repository.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

const BATCH = 1000;

/**
 * Deletes personal access tokens whose expires_at has passed, with the sessions they open
 * (Mattermost's cleanup_expired_access_tokens). A token's session lives for a hundred years, so
 * both go in one transaction, and every node's session cache and sockets are told.
 */
export class CleanupExpiredAccessTokensJob extends JobHandler {
  readonly type = JobType.CleanupExpiredAccessTokens;

  constructor(
    private readonly db: Database,
    private readonly accessTokens: AccessTokensRepository,
    private readonly sessions: SessionsRepository,
    private readonly invalidation: InvalidationBus,
  ) {
    super();
  }

  schedule(config: Config): Schedule {
    return { every: config.JobSettings.CleanupIntervalSeconds * 1000 };
  }

  async run(ctx: JobContext): Promise<void> {
    const now = Date.now();
    const total = await this.accessTokens.countExpiredBefore(now);
    let tokens = 0;
    let sessions = 0;
    for (;;) {
      checkAborted(ctx.signal);
      const batch = await this.db.transaction(async (tx) => {
        const gone = await this.accessTokens.deleteExpiredBatch(tx, now, BATCH);
        const closed = await this.sessions.deleteForAccessTokens(tx, gone);
        return { gone, closed };
      });
      for (const s of batch.closed) this.invalidation.emit('session', sessionInvalidationKey(s));
      tokens += batch.gone.length;
      sessions += batch.closed.length;
      ctx.setData({ deleted_tokens: String(tokens), deleted_sessions: String(sessions) });
      if (total > 0) await ctx.progress((Math.min(tokens, total) / total) * 100);
      if (batch.gone.length < BATCH) break;
    }
  }
}
