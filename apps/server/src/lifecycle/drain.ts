import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import { closeListenerCopies } from './listener-copies.js';

/**
 * Graceful drain on SIGTERM/SIGINT: what a node does between the signal and its exit, so that a
 * rolling restart behind nginx (or a Kubernetes rollout) loses no request beyond a client's retry
 * and no WebSocket event. The order, and why:
 *
 * 1. Stop taking new work: `/api/v4/system/ping` answers 503 (readiness probes take the node out),
 *    the listening socket closes (nginx's next connection attempt is refused, and nginx retries
 *    that request on another node — even a POST, since it never reached this one), WebSocket
 *    upgrades that still arrive on open connections get a 503 (a GET: nginx retries it elsewhere).
 *    Connections nginx keeps open to this node are not cut (a request nginx writes into one while
 *    it is being closed could fail, and nginx never resends a POST): every request on them is
 *    served as usual with `Connection: close`, so each is used once more, at most, and dropped.
 * 2. Leave the cluster: peers are told, then the discovery row goes and gossip announces the
 *    leave, so every peer drops this node at once (no suspicion window, no leadership here); the
 *    streams stay until step 7 (see ClusterRuntime.leave).
 * 3. Hand over the WebSockets: each connection's replay state goes to the peers, then its socket is
 *    closed with 1001 (going away); Mattermost's clients reconnect on any close, with connection_id
 *    and sequence_number, through nginx, to a node that resumes them from the handed state.
 * 4. Finish the requests in flight, up to the grace period, until none has come for a moment
 *    (nginx has used up its connections here); then close the idle keep-alive connections, and
 *    cut whatever is still open.
 * 5. Nest's shutdown hooks: running jobs are told "shutdown" and give their row back (pending) for
 *    another node; the BullMQ workers close; the push queue gets its few seconds to send; the
 *    mail queue is closed (what still waits is logged).
 * 6. Say goodbye to the peers and close the streams.
 * 7. Close the database pool (and the embedded PostgreSQL, if any); exit 0.
 *
 * Mattermost's Server.Shutdown does the same in spirit (stop the HTTP server with a short wait for
 * open connections, stop the hubs, leave the cluster, stop jobs, close the store) but gives its
 * sockets nothing to resume with. The whole sequence is bounded by
 * ServiceSettings.GracefulShutdownTimeoutSeconds; steps that release shared resources always run.
 */

/** Whether this process is draining, and its HTTP requests in flight (one per process). */
export class DrainState {
  private drainingSince = 0;
  private lastStartedAt = 0;
  private readonly inFlight = new Set<Response>();
  private idleWaiters: Array<() => void> = [];

  get draining(): boolean {
    return this.drainingSince > 0;
  }

  get since(): number {
    return this.drainingSince;
  }

  get requestsInFlight(): number {
    return this.inFlight.size;
  }

  /** From now on every response closes its connection, and ping answers 503. */
  begin(now = Date.now()): void {
    if (this.drainingSince) return;
    this.drainingSince = now;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
  }

  started(res: Response, now = Date.now()): void {
    this.lastStartedAt = now;
    this.inFlight.add(res);
    if (this.draining) res.setHeader('Connection', 'close');
  }

  ended(res: Response): void {
    if (!this.inFlight.delete(res) || this.inFlight.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Resolves once no request is in flight. */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves once no request is in flight and none has started for `quietMs`. While nginx still
   * holds keep-alive connections to this node it keeps using them (each once more, answered with
   * Connection: close); when they are used up its new connections are refused and it stops. Only
   * then are the idle ones closed, so that nginx is not writing a request into one as it closes.
   */
  async quiet(quietMs: number, now: () => number = Date.now): Promise<void> {
    for (;;) {
      await this.idle();
      const wait = this.lastStartedAt + quietMs - now();
      if (wait <= 0 && this.inFlight.size === 0) return;
      await new Promise((r) => setTimeout(r, Math.max(wait, 10)));
    }
  }
}

/** This process's drain state: the health check, the request tracker and the WebSocket upgrade read it. */
export const drainState = new DrainState();

/** Counts requests in flight and marks responses `Connection: close` while draining. First middleware. */
export function trackRequests(state: DrainState = drainState) {
  return (_req: Request, res: Response, next: NextFunction) => {
    state.started(res);
    res.once('close', () => state.ended(res));
    next();
  };
}

/**
 * Closes the listening socket only. http.Server.close() would also close the idle keep-alive
 * connections at once (Node ≥ 19), racing nginx, which may be writing a request into one.
 */
export function stopListening(server: Server): Promise<void> {
  closeListenerCopies(server); // the socket listens until its last descriptor is closed
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    NetServer.prototype.close.call(server, () => resolve());
    // The callback runs only when every connection has ended: the listener itself is closed now.
    setImmediate(resolve);
  });
}

export interface DrainStep {
  name: string;
  run: () => Promise<unknown> | unknown;
  /** At most this long (it also never runs past the grace period, unless `always`). */
  timeoutMs?: number;
  /** Runs even when the grace period is spent, for at least ALWAYS_FLOOR_MS (releases shared resources). */
  always?: boolean;
}

export interface DrainStepReport {
  name: string;
  ms: number;
  outcome: 'done' | 'timed out' | 'failed' | 'skipped';
  error?: string;
}

/** What an `always` step gets after the grace period is spent. */
export const ALWAYS_FLOOR_MS = 1_000;

/**
 * Runs the steps in order, each bounded by its own timeout and by what is left of `graceMs`. A step
 * that fails or times out is reported and the next one runs; once the grace period is spent only
 * `always` steps run, for ALWAYS_FLOOR_MS each. So the whole takes at most graceMs plus
 * ALWAYS_FLOOR_MS per `always` step.
 */
export async function runDrain(steps: DrainStep[], opts: { graceMs: number; log?: (message: string) => void; now?: () => number }): Promise<DrainStepReport[]> {
  const now = opts.now ?? Date.now;
  const deadline = now() + opts.graceMs;
  const reports: DrainStepReport[] = [];
  // Set when a step ran out the grace period: its timer may fire a millisecond before the clock
  // reaches the deadline, and the steps after it must still be skipped.
  let spent = false;
  for (const step of steps) {
    const left = deadline - now();
    if ((spent || left <= 0) && !step.always) {
      reports.push({ name: step.name, ms: 0, outcome: 'skipped' });
      opts.log?.(`drain: ${step.name}: skipped (grace period spent)`);
      continue;
    }
    const budget = Math.min(step.timeoutMs ?? Infinity, Math.max(left, step.always ? ALWAYS_FLOOR_MS : 0));
    const started = now();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      Promise.resolve()
        .then(step.run)
        .then(
          () => ({ outcome: 'done' as const }),
          (err: unknown) => ({ outcome: 'failed' as const, error: err instanceof Error ? err.message : String(err) }),
        ),
      new Promise<{ outcome: 'timed out' }>((resolve) => (timer = setTimeout(() => resolve({ outcome: 'timed out' }), budget))),
    ]);
    clearTimeout(timer);
    if (outcome.outcome === 'timed out' && budget >= left) spent = true;
    const report: DrainStepReport = { name: step.name, ms: now() - started, ...outcome };
    reports.push(report);
    opts.log?.(`drain: ${step.name}: ${report.outcome} in ${report.ms} ms${report.error ? ` (${report.error})` : ''}`);
  }
  return reports;
}
