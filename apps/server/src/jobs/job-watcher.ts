import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '#config';
import { QueueDriver, QueueUnavailableError } from '#jobs';
import { JobEvents } from './job-events.js';
import { JobHandlers } from './job-handler.js';
import { MAX_ATTEMPTS } from './job-runner.js';
import { JobScheduling } from './job-scheduling.js';
import { JobStatus } from './job.model.js';
import { JobsRepository } from './jobs.repository.js';

/** How often the job table is compared with the queue (Mattermost's watcher polls every 15 s). */
export const WATCH_INTERVAL_MS = 15_000;

/**
 * The job table is the truth; the queue may miss things: an enqueue that failed while Redis was
 * down, Redis restarted empty, a node that died holding a job. Every WATCH_INTERVAL_MS, and at once
 * when the queue reconnects, this puts back every pending job and every running job whose holder
 * fell silent. Queue ids are job ids, so putting back what is already queued changes nothing, and
 * the claim makes a job run once however many times it is delivered.
 */
@Injectable()
export class JobWatcher {
  private readonly log = new Logger('jobs');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly repo: JobsRepository,
    private readonly driver: QueueDriver,
    private readonly handlers: JobHandlers,
    private readonly events: JobEvents,
    private readonly scheduling: JobScheduling,
    private readonly config: ConfigService,
  ) {}

  start(): void {
    if (this.timer) return;
    this.driver.onConnected(() => void this.tick());
    // Spread the nodes' first look (as Mattermost's watcher's random initial delay).
    const first = setTimeout(() => void this.tick(), Math.floor(Math.random() * 2000));
    first.unref();
    this.timer = setInterval(() => void this.tick(), WATCH_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass (one at a time). */
  tick(): Promise<void> {
    this.running ??= this.pass()
      .catch((err) => this.log.warn(`job watcher: ${err instanceof Error ? err.message : err}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    await this.scheduling.sync();
    const cfg = this.config.get();
    // An in-process queue only feeds this node's workers: without them, leave the jobs to the nodes that have them.
    if (!this.driver.connected() || (this.driver.kind === 'in-process' && !cfg.JobSettings.RunJobs)) return;
    const leaseMs = cfg.JobSettings.StalledJobTimeoutSeconds * 1000;
    const rows = await this.repo.needingDelivery(Date.now() - 2 * leaseMs);
    for (const row of rows) {
      if (!this.handlers.has(row.type)) continue;
      if (row.status !== JobStatus.Pending) {
        // Its holder is gone. A cancelled one just ends; one that killed its node too often ends in error.
        const end =
          row.status === JobStatus.CancelRequested
            ? this.repo.abandon(row.id, row.last_activity_at, JobStatus.Canceled, {})
            : row.attempts >= MAX_ATTEMPTS
              ? this.repo.abandon(row.id, row.last_activity_at, JobStatus.Error, {
                  error: `abandoned: its node stopped during each of ${row.attempts} attempts`,
                })
              : null;
        if (end) {
          const ended = await end;
          if (ended) this.events.statusChanged(ended);
          continue;
        }
      }
      try {
        await this.driver.enqueue(row.type, row.id);
      } catch (err) {
        if (err instanceof QueueUnavailableError) return; // the next pass, or the reconnect, tries again
        throw err;
      }
    }
  }
}
