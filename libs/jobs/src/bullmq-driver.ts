import { DelayedError, Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { DriverLogger } from './in-process-driver.js';
import { Handler, QueueDriver, QueueUnavailableError, Schedule, WorkerHandle, WorkOptions } from './queue-driver.js';
import { bullRepeat, sameSchedule } from './schedule.js';

export interface BullMqDriverOptions {
  /** "host:port", or a redis:// URL. */
  address: string;
  password?: string;
  /** Negative: the server's default database (0). */
  db?: number;
  /** Key prefix; every queue, lock and schedule of this deployment lives under it. */
  prefix: string;
  /**
   * How long a running job may go without its node renewing the lock before another node takes it
   * back (BullMQ's lockDuration; the stalled check runs at the same interval).
   */
  stalledAfterMs: number;
  log?: DriverLogger;
}

/** How long enqueue() waits for Redis before giving up (the caller keeps the job and retries later). */
const ENQUEUE_TIMEOUT_MS = 3000;
const CLOSE_TIMEOUT_MS = 5000;
/** A stalled job is re-queued this many times by BullMQ; the job table caps real attempts. */
const MAX_STALLED_COUNT = 10;

export function parseRedisAddress(address: string): { host: string; port: number; password?: string; db?: number } {
  if (/^rediss?:\/\//.test(address)) {
    const url = new URL(address);
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
    return {
      host: url.hostname,
      port: url.port ? Number(url.port) : 6379,
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(db !== undefined && Number.isInteger(db) ? { db } : {}),
    };
  }
  const m = /^\[?([^\]]*?)\]?(?::(\d+))?$/.exec(address.trim());
  if (!m || !m[1]) throw new Error(`not a Redis address "host:port": ${JSON.stringify(address)}`);
  return { host: m[1], port: m[2] ? Number(m[2]) : 6379 };
}

/**
 * Queues in Redis through BullMQ: every node enqueues into and works from the same queues. A
 * node that dies mid-job stops renewing its lock; BullMQ's stalled check on the other nodes puts
 * the job back. Schedules are BullMQ job schedulers under a deterministic id, so however many
 * nodes upsert them, each slot becomes one job.
 */
export class BullMqDriver extends QueueDriver {
  readonly kind = 'bullmq' as const;
  private readonly redisOptions: ConnectionSettings;
  /** Commands (enqueue, schedules, publish). No offline queue: a call while Redis is away fails at once. */
  private readonly conn: Redis;
  /** Cancel requests from every node. */
  private readonly sub: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers = new Set<Worker>();
  private readonly active = new Map<string, AbortController>();
  private readonly desired = new Map<string, { queue: string; schedulerId: string; schedule: Schedule }>();
  private readonly pendingRemovals = new Map<string, { queue: string; schedulerId: string }>();
  private readonly listeners: Array<() => void> = [];
  private readonly log: DriverLogger;
  private readonly cancelChannel: string;
  private lastErrorLog = 0;
  private closed = false;

  constructor(private readonly options: BullMqDriverOptions) {
    super();
    this.log = options.log ?? (() => undefined);
    const parsed = parseRedisAddress(options.address);
    const db = options.db !== undefined && options.db >= 0 ? options.db : parsed.db;
    this.redisOptions = {
      host: parsed.host,
      port: parsed.port,
      ...(options.password || parsed.password ? { password: options.password || parsed.password } : {}),
      ...(db !== undefined ? { db } : {}),
      // Reconnect quickly after an outage, forever.
      retryStrategy: (times) => Math.min(times * 100, 2000),
    };
    this.cancelChannel = `${options.prefix}:cancel`;
    this.conn = new Redis({ ...this.redisOptions, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    this.sub = new Redis({ ...this.redisOptions, maxRetriesPerRequest: null });
    this.conn.on('error', (err) => this.logError('redis', err));
    this.sub.on('error', (err) => this.logError('redis subscriber', err));
    this.conn.on('ready', () => void this.reconnected());
    this.sub.on('ready', () => void this.sub.subscribe(this.cancelChannel).catch((err) => this.logError('subscribe', err)));
    this.sub.on('message', (channel, id) => {
      if (channel === this.cancelChannel) this.active.get(id)?.abort('cancel');
    });
  }

  connected(): boolean {
    return !this.closed && this.conn.status === 'ready';
  }

  onConnected(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Resolves once Redis answers, or after `timeoutMs` (false). */
  async waitUntilConnected(timeoutMs: number): Promise<boolean> {
    if (this.connected()) return true;
    return new Promise((ok) => {
      const timer = setTimeout(() => {
        this.conn.off('ready', ready);
        ok(false);
      }, timeoutMs);
      const ready = () => {
        clearTimeout(timer);
        ok(true);
      };
      this.conn.once('ready', ready);
    });
  }

  async enqueue(queue: string, id: string, data: Record<string, string> = {}): Promise<void> {
    if (!this.connected()) throw new QueueUnavailableError('the job queue (Redis) is not reachable');
    try {
      await withTimeout(this.queue(queue).add(queue, data, { jobId: id }), ENQUEUE_TIMEOUT_MS);
    } catch (err) {
      throw new QueueUnavailableError(`could not queue ${id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  async schedule(queue: string, schedulerId: string, schedule: Schedule): Promise<void> {
    const key = scheduleKey(queue, schedulerId);
    const before = this.desired.get(key);
    this.desired.set(key, { queue, schedulerId, schedule });
    this.pendingRemovals.delete(key);
    if (before && sameSchedule(before.schedule, schedule)) return;
    if (this.connected()) await this.applySchedule(queue, schedulerId, schedule);
  }

  async unschedule(queue: string, schedulerId: string): Promise<void> {
    const key = scheduleKey(queue, schedulerId);
    this.desired.delete(key);
    if (!this.connected()) {
      this.pendingRemovals.set(key, { queue, schedulerId });
      return;
    }
    await this.queue(queue)
      .removeJobScheduler(schedulerId)
      .catch((err) => {
        this.pendingRemovals.set(key, { queue, schedulerId });
        this.logError(`unschedule ${schedulerId}`, err);
      });
  }

  work(queue: string, handler: Handler, options: WorkOptions): WorkerHandle {
    const worker = new Worker(
      queue,
      async (job: Job, token?: string) => {
        const slot = scheduledSlot(job);
        const id = slot !== undefined ? `${job.repeatJobKey ?? queue}@${slot}` : job.id!;
        const controller = new AbortController();
        this.active.set(id, controller);
        try {
          const outcome = await handler(
            { queue, id, data: (job.data ?? {}) as Record<string, string>, delivery: job.attemptsStarted, ...(slot !== undefined ? { slot } : {}) },
            { signal: controller.signal, progress: (p) => job.updateProgress(p).catch(() => undefined) },
          );
          if (outcome) {
            await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
            throw new DelayedError();
          }
        } finally {
          this.active.delete(id);
        }
      },
      {
        connection: { ...this.redisOptions, maxRetriesPerRequest: null },
        prefix: this.options.prefix,
        concurrency: Math.max(1, options.concurrency),
        lockDuration: this.options.stalledAfterMs,
        stalledInterval: this.options.stalledAfterMs,
        maxStalledCount: MAX_STALLED_COUNT,
        removeOnComplete: { count: 0 },
        removeOnFail: { count: 0 },
      },
    );
    worker.on('error', (err) => this.logError(`worker ${queue}`, err));
    this.workers.add(worker);
    return {
      stop: async () => {
        this.workers.delete(worker);
        await withTimeout(worker.close(), CLOSE_TIMEOUT_MS).catch(() => worker.close(true));
      },
    };
  }

  async cancel(id: string): Promise<void> {
    this.active.get(id)?.abort('cancel');
    if (this.connected()) await this.conn.publish(this.cancelChannel, id).catch((err) => this.logError('cancel', err));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.active.values()) controller.abort('shutdown');
    const closing = [...this.workers].map((w) => withTimeout(w.close(), CLOSE_TIMEOUT_MS).catch(() => w.close(true).catch(() => undefined)));
    await Promise.allSettled(closing);
    await Promise.allSettled([...this.queues.values()].map((q) => withTimeout(q.close(), CLOSE_TIMEOUT_MS)));
    this.conn.disconnect();
    this.sub.disconnect();
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, {
        connection: this.conn,
        prefix: this.options.prefix,
        // The job table keeps the history; Redis keeps only what is still to do.
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
      });
      q.on('error', (err) => this.logError(`queue ${name}`, err));
      this.queues.set(name, q);
    }
    return q;
  }

  private async applySchedule(queue: string, schedulerId: string, schedule: Schedule): Promise<void> {
    try {
      await this.queue(queue).upsertJobScheduler(schedulerId, bullRepeat(schedule, Date.now()), {
        name: 'scheduled',
        data: {},
        opts: { removeOnComplete: true, removeOnFail: true },
      });
    } catch (err) {
      // Applied again on the next reconnect.
      this.logError(`schedule ${schedulerId}`, err);
    }
  }

  /** Redis is back (maybe empty): put the schedules back and tell the listeners. */
  private async reconnected(): Promise<void> {
    if (this.closed) return;
    for (const [key, r] of [...this.pendingRemovals]) {
      await this.queue(r.queue)
        .removeJobScheduler(r.schedulerId)
        .then(() => this.pendingRemovals.delete(key))
        .catch((err) => this.logError(`unschedule ${r.schedulerId}`, err));
    }
    for (const d of this.desired.values()) await this.applySchedule(d.queue, d.schedulerId, d.schedule);
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (err) {
        this.logError('reconnect listener', err);
      }
    }
  }

  /** Errors repeat every retry while Redis is away: log one every ten seconds. */
  private logError(what: string, err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < 10_000) return;
    this.lastErrorLog = now;
    this.log('warn', `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The connection settings both ioredis and BullMQ take. */
interface ConnectionSettings {
  host: string;
  port: number;
  password?: string;
  db?: number;
  retryStrategy: (times: number) => number;
}

const scheduleKey = (queue: string, schedulerId: string) => `${queue}\u0000${schedulerId}`;

/**
 * The slot of a job scheduler's iteration: its id is "repeat:<schedulerId>:<millis>". For an
 * interval, the nearest multiple of it: BullMQ starts a new scheduler at its own `now` when the
 * start date we computed has already passed by the time Redis runs the upsert (a loaded machine, a
 * leader taking over), and then keeps that offset; rounding keeps the slot, which is the job's
 * identity (one run per slot), on the interval's grid whatever BullMQ's timer does.
 */
export function scheduledSlot(job: { repeatJobKey?: string; id?: string; opts?: unknown }): number | undefined {
  if (!job.repeatJobKey || !job.id?.startsWith('repeat:')) return undefined;
  const millis = Number(job.id.slice(job.id.lastIndexOf(':') + 1));
  if (!Number.isFinite(millis)) return undefined;
  const every = Number((job.opts as { repeat?: { every?: number } } | undefined)?.repeat?.every);
  return every > 0 ? Math.round(millis / every) * every : millis;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
