import type { Config } from '#config';
import type { Schedule } from '#jobs';
import type { EmailDigests } from '../../email/email-digests.service.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

/**
 * email_batching (ours): every EmailSettings.EmailBatchingInterval seconds while batching is on,
 * mails each user whose batch is due one digest. Mattermost runs this as a recurring task on every
 * node with the batches in that node's memory, and therefore refuses batching in a cluster; here
 * the batches are rows, the job runs once per slot cluster-wide, and a batch is claimed in a
 * transaction, so each notification is mailed once whichever node runs the job.
 */
export class EmailBatchingJob extends JobHandler {
  readonly type = JobType.EmailBatching;

  constructor(private readonly digests: EmailDigests) {
    super();
  }

  schedule(config: Config): Schedule | null {
    const e = config.EmailSettings;
    return e.EnableEmailBatching && e.SendEmailNotifications ? { every: Math.max(30, e.EmailBatchingInterval) * 1000 } : null;
  }

  async run(ctx: JobContext): Promise<void> {
    const run = await this.digests.sendDue({ signal: ctx.signal });
    ctx.setData({ users: String(run.users), mails_sent: String(run.mails), skipped: String(run.skipped) });
    checkAborted(ctx.signal);
  }
}
