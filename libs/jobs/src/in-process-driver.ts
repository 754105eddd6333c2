import { Delivery, Handler, Outcome, QueueDriver, Schedule, WorkerHandle, WorkOptions } from './queue-driver.js';
import { nextSlot } from './schedule.js';

export type DriverLogger = (level: 'info' | 'warn' | 'error', message: string) => void;

interface Queued {
  id: string;
  data: Record<string, string>;
  slot?: number;
}

interface LocalQueue {
  waiting: Queued[];
  /** Ids queued or running: enqueueing one of them again is a no-op. */
  known: Set<string>;
  handler: Handler | null;
  concurrency: number;
  running: Set<Promise<void>>;
}

/**
 * Everything in this process: a FIFO per queue with bounded concurrency, and timers for
 * schedules. Used by the single node that has no Redis, and by unit tests. Nothing survives a
 * restart here; the job table (pending rows, re-queued by the job watcher) is what does.
 */
export class InProcessDriver extends QueueDriver {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<string, LocalQueue>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly active = new Map<string, AbortController>();
  private readonly deliveries = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly log: DriverLogger = () => undefined) {
    super();
  }

  async enqueue(queue: string, id: string, data: Record<string, string> = {}): Promise<void> {
    this.push(queue, { id, data });
  }

  async schedule(queue: string, schedulerId: string, schedule: Schedule): Promise<void> {
    this.clearTimer(queue, schedulerId);
    const arm = (after: number) => {
      const slot = nextSlot(schedule, after);
      // setTimeout caps at ~24.8 days; daily and shorter schedules stay well below.
      const timer = setTimeout(
        () => {
          this.push(queue, { id: `${schedulerId}@${slot}`, data: {}, slot });
          arm(slot);
        },
        Math.max(0, slot - Date.now()),
      );
      timer.unref();
      this.timers.set(timerKey(queue, schedulerId), timer);
    };
    if (!this.closed) arm(Date.now());
  }

  async unschedule(queue: string, schedulerId: string): Promise<void> {
    this.clearTimer(queue, schedulerId);
  }

  work(queue: string, handler: Handler, options: WorkOptions): WorkerHandle {
    const q = this.queue(queue);
    q.handler = handler;
    q.concurrency = Math.max(1, options.concurrency);
    this.pump(queue);
    return {
      stop: async () => {
        if (q.handler === handler) q.handler = null;
        await Promise.allSettled([...q.running]);
      },
    };
  }

  async cancel(id: string): Promise<void> {
    this.active.get(id)?.abort('cancel');
  }

  connected(): boolean {
    return !this.closed;
  }

  async waitUntilConnected(): Promise<boolean> {
    return !this.closed;
  }

  onConnected(): void {
    // Always connected: there is no backend to come back.
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    for (const controller of this.active.values()) controller.abort('shutdown');
    const running = [...this.queues.values()].flatMap((q) => [...q.running]);
    for (const q of this.queues.values()) q.handler = null;
    await Promise.allSettled(running);
  }

  /** Items waiting (not running) in a queue; for tests and the CLI. */
  waiting(queue: string): number {
    return this.queues.get(queue)?.waiting.length ?? 0;
  }

  private queue(name: string): LocalQueue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = { waiting: [], known: new Set(), handler: null, concurrency: 1, running: new Set() }));
    return q;
  }

  private push(queue: string, item: Queued, force = false): void {
    if (this.closed) return;
    const q = this.queue(queue);
    if (q.known.has(item.id) && !force) return;
    q.known.add(item.id);
    q.waiting.push(item);
    this.pump(queue);
  }

  private pump(queue: string): void {
    const q = this.queue(queue);
    while (q.handler && !this.closed && q.running.size < q.concurrency && q.waiting.length > 0) {
      const item = q.waiting.shift()!;
      const run = this.run(queue, q.handler, item).finally(() => {
        q.running.delete(run);
        this.pump(queue);
      });
      q.running.add(run);
    }
  }

  private async run(queue: string, handler: Handler, item: Queued): Promise<void> {
    const q = this.queue(queue);
    const controller = new AbortController();
    this.active.set(item.id, controller);
    const delivery = (this.deliveries.get(item.id) ?? 0) + 1;
    this.deliveries.set(item.id, delivery);
    let outcome: Outcome = undefined;
    try {
      const d: Delivery = { queue, id: item.id, data: item.data, delivery, ...(item.slot !== undefined ? { slot: item.slot } : {}) };
      outcome = await handler(d, { signal: controller.signal, progress: async () => undefined });
    } catch (err) {
      this.log('error', `queue ${queue}: handler failed for ${item.id}: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.active.delete(item.id);
    }
    if (outcome && !this.closed) {
      // Still known: a second enqueue meanwhile stays one item.
      const timer = setTimeout(() => {
        this.retryTimers.delete(timer);
        this.push(queue, item, true);
      }, outcome.retryInMs);
      timer.unref();
      this.retryTimers.add(timer);
    } else {
      q.known.delete(item.id);
      this.deliveries.delete(item.id);
    }
  }

  private clearTimer(queue: string, schedulerId: string): void {
    const key = timerKey(queue, schedulerId);
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
  }
}

const timerKey = (queue: string, schedulerId: string) => `${queue}\u0000${schedulerId}`;
