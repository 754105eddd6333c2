/**
 * The seam between the job system and whatever moves work between nodes. Domain code talks to a
 * QueueDriver only; BullMQ (Redis, shared by every node) and the in-process driver (one node, no
 * set-up) implement it. A driver delivers at least once; deciding that a delivery really runs is
 * the caller's business (the job table's compare-and-set claim).
 */

/** One delivery of a queued item to a handler. */
export interface Delivery {
  queue: string;
  /** The id given to enqueue(), or `<schedulerId>@<slot>` for one iteration of a schedule. */
  id: string;
  data: Record<string, string>;
  /** For a scheduled iteration: the time slot (ms since the epoch) it stands for, the same on every node. */
  slot?: number;
  /** How many times this id has been handed to a handler so far, this one included. */
  delivery: number;
}

export interface WorkContext {
  /** Aborted by cancel(id) from any node (reason "cancel"), or when the driver closes ("shutdown"). */
  signal: AbortSignal;
  /** Reports progress (0–100) to the queue backend; best effort. */
  progress(percent: number): Promise<void>;
}

/** `retryInMs`: deliver this id again later (it could not be taken now); otherwise it is done. */
export type Outcome = void | { retryInMs: number };

export type Handler = (delivery: Delivery, ctx: WorkContext) => Promise<Outcome>;

/**
 * When a schedule fires. `every` slots are aligned to multiples of the interval since the epoch,
 * so every node computes the same slots; `daily` is "HH:MM" in the server's local time.
 */
export type Schedule = { every: number } | { daily: string };

export interface WorkOptions {
  /** How many deliveries of this queue this node handles at once. */
  concurrency: number;
}

/** A registered worker; stop() lets running deliveries finish, then takes no more. */
export interface WorkerHandle {
  stop(): Promise<void>;
}

/** The backend cannot take the item now (Redis is down); nothing was queued. */
export class QueueUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueUnavailableError';
  }
}

export abstract class QueueDriver {
  abstract readonly kind: 'bullmq' | 'in-process';

  /** Queues an item. The same id while it is still queued or running is one item, not two. */
  abstract enqueue(queue: string, id: string, data?: Record<string, string>): Promise<void>;

  /**
   * Creates or updates a recurring schedule. `schedulerId` is deterministic (the same on every
   * node), so every node may call this and each slot is still delivered once.
   */
  abstract schedule(queue: string, schedulerId: string, schedule: Schedule): Promise<void>;

  abstract unschedule(queue: string, schedulerId: string): Promise<void>;

  /** Starts taking deliveries of `queue` on this node. */
  abstract work(queue: string, handler: Handler, options: WorkOptions): WorkerHandle;

  /** Aborts the signal of the delivery with this id, wherever it runs. */
  abstract cancel(id: string): Promise<void>;

  /** Whether items can be queued right now. */
  abstract connected(): boolean;

  /** Resolves true once items can be queued, or false after `timeoutMs`. */
  abstract waitUntilConnected(timeoutMs: number): Promise<boolean>;

  /** Called whenever the backend (re)connects: queued state may have been lost while it was away. */
  abstract onConnected(listener: () => void): void;

  /** Stops workers (their running deliveries are told "shutdown"), timers and connections. */
  abstract close(): Promise<void>;
}
