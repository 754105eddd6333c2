import { Injectable, Logger } from '@nestjs/common';
import { NamedCounts, newId } from '#common';
import { ConfigService } from '#config';
import type { Delivery, Outcome, WorkContext } from '#jobs';
import { JobEvents } from './job-events.js';
import { JobContext, JobHandler, JobHandlers } from './job-handler.js';
import { isFinished, JobRow, JobStatus, jobView } from './job.model.js';
import { JobsRepository } from './jobs.repository.js';

/** A job claimed this many times without finishing (its node died each time) ends in error. */
export const MAX_ATTEMPTS = 3;
const PROGRESS_WRITE_INTERVAL_MS = 500;

/** This process's name in the job table's node_id. */
export class JobNode {
  constructor(readonly id: string) {}
}

export interface RunOptions {
  /** The queue's signal (cancel from another node, shutdown). */
  signal?: AbortSignal;
  onProgress?: (percent: number) => void;
}

/**
 * Turns a queue delivery into at most one run of a job: finds (or, for a schedule slot, creates)
 * the job row, claims it by compare-and-set, runs its handler with a heartbeat, and records how it
 * ended. A second delivery of the same job finds it claimed and backs off; a delivery after the
 * holder died (no heartbeat for StalledJobTimeoutSeconds) takes it over.
 */
@Injectable()
export class JobRunner {
  private readonly log = new Logger('jobs');
  /** Jobs running in this process by type (Mattermost's jobs_active), read by the metrics endpoint. */
  readonly active = new NamedCounts();

  constructor(
    private readonly repo: JobsRepository,
    private readonly handlers: JobHandlers,
    private readonly events: JobEvents,
    private readonly config: ConfigService,
    private readonly node: JobNode,
  ) {}

  get leaseMs(): number {
    return this.config.get().JobSettings.StalledJobTimeoutSeconds * 1000;
  }

  /** The schedule slot's key: one job per type and slot, whichever node's delivery creates it. */
  static scheduleKey(type: string, slot: number): string {
    return `${type}:${slot}`;
  }

  async deliver(type: string, delivery: Delivery, work: WorkContext): Promise<Outcome> {
    const handler = this.handlers.get(type);
    if (!handler) return;
    const row =
      delivery.slot !== undefined ? await this.repo.insertScheduled(type, JobRunner.scheduleKey(type, delivery.slot)) : await this.repo.get(delivery.id);
    if (!row || row.type !== type || isFinished(row.status)) return;
    const claimId = newId();
    const claimed = await this.repo.claim(row.id, claimId, this.node.id, this.leaseMs, MAX_ATTEMPTS);
    if (!claimed) return this.notClaimed(row.id);
    this.events.statusChanged(claimed);
    return this.execute(handler, claimed, claimId, { signal: work.signal, onProgress: (p) => void work.progress(p) });
  }

  /** Runs a job this process already claimed (the CLI's `run`). */
  async runClaimed(row: JobRow, claimId: string, options: RunOptions = {}): Promise<JobRow | undefined> {
    const handler = this.handlers.get(row.type);
    if (!handler) throw new Error(`no handler for job type ${row.type}`);
    await this.execute(handler, row, claimId, options);
    return this.repo.get(row.id);
  }

  /** Someone else holds the job, or it cannot be claimed any more. */
  private async notClaimed(id: string): Promise<Outcome> {
    const current = await this.repo.get(id);
    if (!current || isFinished(current.status)) return;
    if (current.status === JobStatus.Pending) {
      // Pending yet unclaimable: it used up its attempts.
      const failed = await this.repo.casStatus(id, JobStatus.Pending, JobStatus.Error);
      if (failed) this.events.statusChanged(failed);
      return;
    }
    // Running elsewhere: look again when its holder's lease would run out, in case it died.
    return { retryInMs: Math.max(1000, current.last_activity_at + this.leaseMs - Date.now() + 500) };
  }

  private async execute(handler: JobHandler, row: JobRow, claimId: string, options: RunOptions): Promise<Outcome> {
    const controller = new AbortController();
    const stopFromQueue = () => controller.abort(options.signal?.reason ?? 'shutdown');
    if (options.signal?.aborted) stopFromQueue();
    options.signal?.addEventListener('abort', stopFromQueue);

    const data: Record<string, string> = { ...row.data };
    let progress = row.progress;
    let dirty = false;
    let lastWrite = 0;
    let beating: Promise<void> | null = null;
    const beat = (): Promise<void> => {
      // One heartbeat at a time; a caller during one waits for it.
      beating ??= (async () => {
        const update = dirty ? { progress, data: { ...data } } : {};
        dirty = false;
        lastWrite = Date.now();
        const status = await this.repo.heartbeat(row.id, claimId, update);
        if (status === null) controller.abort('lost');
        else if (status === JobStatus.CancelRequested) controller.abort('cancel');
      })()
        .catch((err) => this.log.warn(`heartbeat of job ${row.id} failed: ${err instanceof Error ? err.message : err}`))
        .finally(() => (beating = null));
      return beating;
    };
    const heartbeat = setInterval(() => void beat(), Math.max(200, Math.min(5000, this.leaseMs / 3)));

    const ctx: JobContext = {
      job: jobView(row),
      signal: controller.signal,
      progress: async (percent) => {
        const p = Math.max(0, Math.min(100, Math.floor(percent)));
        if (p === progress) return;
        progress = p;
        dirty = true;
        options.onProgress?.(p);
        if (Date.now() - lastWrite >= PROGRESS_WRITE_INTERVAL_MS) await beat();
      },
      setData: (values) => {
        Object.assign(data, values);
        dirty = true;
      },
    };

    let outcome: Outcome = undefined;
    let final: JobRow | undefined;
    this.active.inc(row.type);
    try {
      const result = await handler.run(ctx);
      clearInterval(heartbeat);
      await beating;
      if (result?.warning) data.warning = result.warning;
      // Work that completed counts as done, even if a cancel arrived at the last moment.
      final = await this.repo.finish(row.id, claimId, result?.warning ? JobStatus.Warning : JobStatus.Success, { progress: 100, data });
      options.onProgress?.(100);
    } catch (err) {
      clearInterval(heartbeat);
      await beating;
      const reason = controller.signal.aborted ? String(controller.signal.reason) : null;
      if (reason === 'cancel') {
        final = await this.repo.finish(row.id, claimId, JobStatus.Canceled, { data });
      } else if (reason === 'shutdown') {
        // Not this job's fault: give it back, and let the queue hand it to another node.
        final = await this.repo.release(row.id, claimId);
        outcome = { retryInMs: 0 };
      } else if (reason === 'lost') {
        this.log.warn(`job ${row.id} (${row.type}) was taken over by another node; this run stopped`);
      } else {
        const message = err instanceof Error ? err.message : String(err);
        this.log.error(`job ${row.id} (${row.type}) failed: ${message}`);
        final = await this.repo.finish(row.id, claimId, JobStatus.Error, { progress: -1, data: { ...data, error: message } });
      }
    } finally {
      this.active.dec(row.type);
      clearInterval(heartbeat);
      options.signal?.removeEventListener('abort', stopFromQueue);
    }
    if (final) this.events.statusChanged(final);
    return outcome;
  }
}
