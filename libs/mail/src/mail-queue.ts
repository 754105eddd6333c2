import { MailDriver, MailMessage } from './mail-driver.js';

export type MailQueueLogger = (level: 'warn' | 'error', message: string) => void;

export interface MailQueueOptions {
  /** Most messages waiting at once (sending or waiting for a retry); more are dropped. */
  capacity?: number;
  /** Tries per message before it is given up. */
  maxAttempts?: number;
  /** The wait before the first retry; each further retry waits twice as long, up to maxDelayMs. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Messages sent at once. */
  concurrency?: number;
  log?: MailQueueLogger;
}

interface Entry {
  message: MailMessage;
  attempts: number;
  dueAt: number;
}

/**
 * Notification mail, sent in the background: enqueue() never waits for the SMTP server and never
 * throws, so a post's request is never slowed or failed by mail. A send that fails (the server is
 * down, refuses, times out) is tried again with exponential backoff; the queue is bounded in
 * memory (mail waiting on a dead server must not grow without limit), and what does not fit, or
 * fails maxAttempts times, is logged and dropped. Mattermost sends each notification mail once
 * in a goroutine and only logs a failure.
 */
export class MailQueue {
  private readonly entries: Entry[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly o: Required<Omit<MailQueueOptions, 'log'>>;
  private readonly log: MailQueueLogger;
  /** Counters since start (metrics, tests). */
  readonly stats = { sent: 0, retried: 0, dropped: 0 };

  constructor(
    private readonly driver: MailDriver,
    options: MailQueueOptions = {},
  ) {
    this.o = {
      capacity: options.capacity ?? 1000,
      maxAttempts: options.maxAttempts ?? 8,
      initialDelayMs: options.initialDelayMs ?? 2000,
      maxDelayMs: options.maxDelayMs ?? 5 * 60_000,
      concurrency: options.concurrency ?? 2,
    };
    this.log = options.log ?? (() => undefined);
  }

  /** Messages waiting or being sent. */
  get size(): number {
    return this.entries.length + this.inFlight;
  }

  /** Queues the message; false (and logged) when the queue is full or closed. */
  enqueue(message: MailMessage): boolean {
    if (this.closed) return false;
    if (this.size >= this.o.capacity) {
      this.stats.dropped++;
      this.log('error', `mail queue full (${this.o.capacity}): dropped ${message.category} mail to ${message.to}`);
      return false;
    }
    this.entries.push({ message, attempts: 0, dueAt: Date.now() });
    this.pump();
    return true;
  }

  /** Resolves once nothing is waiting or being sent (tests; shutdown). */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Sends what waits for a retry now instead of at its time (an operator fixed the server; tests). */
  retryNow(): void {
    const now = Date.now();
    for (const e of this.entries) e.dueAt = Math.min(e.dueAt, now);
    this.pump();
  }

  /** Stops sending; what still waits is dropped. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.stats.dropped += this.entries.length;
    this.entries.length = 0;
    this.settleIdle();
  }

  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    while (this.inFlight < this.o.concurrency) {
      const i = this.nextDue(now);
      if (i < 0) break;
      const [entry] = this.entries.splice(i, 1);
      this.inFlight++;
      void this.attempt(entry);
    }
    this.arm();
    this.settleIdle();
  }

  private async attempt(entry: Entry): Promise<void> {
    entry.attempts++;
    try {
      await this.driver.send(entry.message);
      this.stats.sent++;
    } catch (err) {
      this.failed(entry, err);
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  private failed(entry: Entry, err: unknown): void {
    const what = `${entry.message.category} mail to ${entry.message.to}`;
    const reason = err instanceof Error ? err.message : String(err);
    if (this.closed || entry.attempts >= this.o.maxAttempts) {
      this.stats.dropped++;
      this.log('error', `gave up on ${what} after ${entry.attempts} tries: ${reason}`);
      return;
    }
    const delay = Math.min(this.o.maxDelayMs, this.o.initialDelayMs * 2 ** (entry.attempts - 1));
    entry.dueAt = Date.now() + delay;
    this.entries.push(entry);
    this.stats.retried++;
    this.log('warn', `${what} failed (try ${entry.attempts}), again in ${delay} ms: ${reason}`);
  }

  /** The index of the earliest entry due by `now`, or -1. */
  private nextDue(now: number): number {
    let best = -1;
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i].dueAt <= now && (best < 0 || this.entries[i].dueAt < this.entries[best].dueAt)) best = i;
    }
    return best;
  }

  /** A timer for the earliest retry; unref'd, so a queue waiting on a dead server never keeps the process up. */
  private arm(): void {
    if (this.entries.length === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      return;
    }
    const at = Math.min(...this.entries.map((e) => e.dueAt));
    // Due already but every slot busy: the send that ends next pumps again.
    if (at <= Date.now() && this.inFlight >= this.o.concurrency) return;
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(0, at - Date.now()),
    );
    this.timer.unref();
  }

  private settleIdle(): void {
    if (this.size > 0 || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
