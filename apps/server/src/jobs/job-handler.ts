import type { Config } from '#config';
import type { Schedule } from '#jobs';
import type { Job } from './job.model.js';

/** What a running job sees. */
export interface JobContext {
  /** The job as it was claimed (its data is what the creator gave). */
  readonly job: Job;
  /** Aborted when the job is cancelled, when this node shuts down, or when another node took the job over. */
  readonly signal: AbortSignal;
  /** Progress 0–100: written to the job row (at most twice a second) and shown by the API and the CLI. */
  progress(percent: number): Promise<void>;
  /** Merged into the job's data and written with the next progress or the final status. */
  setData(values: Record<string, string>): void;
}

/** A job that finished its work but wants it flagged (Mattermost's "warning" status). */
export interface JobResult {
  warning?: string;
}

/**
 * One job type: what it does, and when it runs by itself. A run may be cut off by a crash and
 * started again on another node, so run() must be safe to repeat (delete what is still there,
 * write files whole, mark rows before acting on them).
 */
export abstract class JobHandler {
  abstract readonly type: string;
  /** Jobs of this type one node runs at once. */
  readonly concurrency: number = 1;

  abstract run(ctx: JobContext): Promise<JobResult | void>;

  /** When it runs by itself under the current config; null when it does not. */
  schedule(_config: Config): Schedule | null {
    return null;
  }
}

export class JobHandlers {
  private readonly byType = new Map<string, JobHandler>();

  constructor(handlers: JobHandler[]) {
    for (const h of handlers) this.byType.set(h.type, h);
  }

  get(type: string): JobHandler | undefined {
    return this.byType.get(type);
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  all(): JobHandler[] {
    return [...this.byType.values()];
  }
}

/** Throws the signal's reason as an AbortError when the job was told to stop. */
export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new JobAbortedError(String(signal.reason ?? 'aborted'));
}

export class JobAbortedError extends Error {
  constructor(readonly reason: string) {
    super(`job stopped: ${reason}`);
    this.name = 'JobAbortedError';
  }
}
