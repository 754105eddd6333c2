/**
 * A bounded in-memory queue drained by a fixed number of concurrent workers (Mattermost's
 * PushNotificationsHub: a buffered channel and a semaphore). `offer` never waits: when the queue
 * is full it refuses, so whoever produces work (a request) is never slowed by whoever consumes it
 * (a push proxy that is slow or gone).
 */
export class WorkQueue<T> {
  private readonly items: Array<{ item: T; weight: number } | undefined> = [];
  private head = 0;
  private waiting = 0;
  private running = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly opts: {
      /** How much may wait, in items' weights (read at every offer, so a config change applies at once). */
      capacity: () => number;
      workers: number;
      run: (item: T) => Promise<void>;
      /** A run that threw (runs should not): logged by the owner, the worker goes on. */
      onError: (err: unknown) => void;
    },
  ) {}

  /** The weight waiting (items not yet taken by a worker). */
  get size(): number {
    return this.waiting;
  }

  /**
   * Queues an item of some weight (how many notifications it holds); false when it does not fit or
   * the queue is stopped (the item is dropped). An empty queue takes any item, however heavy.
   */
  offer(item: T, weight = 1): boolean {
    if (this.stopped || (this.waiting > 0 && this.waiting + weight > Math.max(1, this.opts.capacity()))) return false;
    this.items.push({ item, weight });
    this.waiting += weight;
    if (this.running < this.opts.workers) {
      this.running++;
      void this.work();
    }
    return true;
  }

  /** Resolves once nothing waits and no worker runs. */
  idle(): Promise<void> {
    if (this.size === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new items; what is queued still runs. */
  stop(): void {
    this.stopped = true;
  }

  private take(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const entry = this.items[this.head]!;
    this.items[this.head++] = undefined;
    this.waiting -= entry.weight;
    // Compact now and then, so a long-lived queue does not keep a growing hole at its front.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return entry.item;
  }

  private async work(): Promise<void> {
    for (let item = this.take(); item !== undefined; item = this.take()) {
      try {
        await this.opts.run(item);
      } catch (err) {
        this.opts.onError(err);
      }
    }
    this.running--;
    if (this.running === 0 && this.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }
}
