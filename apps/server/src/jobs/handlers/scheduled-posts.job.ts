import type { Config } from '#config';
import type { Schedule } from '#jobs';
import type { ScheduledPostSender } from '../../scheduled-posts/scheduled-post-sender.js';
import { JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

/**
 * scheduled_posts: sends the scheduled posts that are due. Mattermost runs this as a recurring
 * task on the cluster leader; here it is a job type, so the queue runs each slot once whichever
 * nodes are up, and the sender's per-row claim keeps a retried or overlapping run from posting
 * anything twice. Every JobSettings.ScheduledPostsIntervalSeconds while ServiceSettings.ScheduledPosts.
 */
export class ScheduledPostsJob extends JobHandler {
  readonly type = JobType.ScheduledPosts;

  constructor(private readonly sender: ScheduledPostSender) {
    super();
  }

  schedule(config: Config): Schedule | null {
    return config.ServiceSettings.ScheduledPosts ? { every: config.JobSettings.ScheduledPostsIntervalSeconds * 1000 } : null;
  }

  async run(ctx: JobContext): Promise<void> {
    const report = await this.sender.sendDue(() => ctx.signal.aborted);
    ctx.setData({ sent: String(report.sent), failed: String(report.failed), expired: String(report.expired) });
  }
}
