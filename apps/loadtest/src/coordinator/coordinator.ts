/**
 * The feedback loop of load-test-ng's coordinator (coordinator/coordinator.go), as a pure state
 * machine the driver ticks every updateIntervalMs:
 *
 * - a failing health check removes numUsersDec users (at most once per restTimeSec);
 * - otherwise, once restTimeSec has passed since the last alert, numUsersInc users are added (up
 *   to maxActiveUsers);
 * - from the first alert on, the active-user count is sampled at every tick; when the samples of
 *   the last stableWindowSec have a best-fit slope under stopSlope users/s (and older samples exist,
 *   so the window is full), the run is done and the supported users are their average.
 */

export interface CoordinatorRule {
  numUsersInc: number;
  numUsersDec: number;
  restTimeSec: number;
  maxActiveUsers: number;
  stableWindowSec: number;
  stopSlope: number;
}

export interface Sample {
  /** ms */
  t: number;
  users: number;
}

export interface Decision {
  /** Users to add (> 0) or remove (< 0); 0 = hold. */
  delta: number;
  reason: 'increment' | 'decrement' | 'rest' | 'at-max' | 'done';
  /** Set when the loop has converged. */
  supportedUsers?: number;
}

/** Slope of the least-squares line through the samples, in users per second. */
export function slope(samples: readonly Sample[]): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const t0 = samples[0].t;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sxx = 0;
  for (const s of samples) {
    const x = (s.t - t0) / 1000;
    sx += x;
    sy += s.users;
    sxy += x * s.users;
    sxx += x * x;
  }
  const den = n * sxx - sx * sx;
  return den === 0 ? NaN : (n * sxy - sx * sy) / den;
}

export function average(samples: readonly Sample[]): number {
  return samples.length ? samples.reduce((s, p) => s + p.users, 0) / samples.length : NaN;
}

export class Coordinator {
  private lastActionAt?: number;
  private lastAlertAt?: number;
  private samples: Sample[] = [];
  supportedUsers?: number;

  constructor(private readonly rule: CoordinatorRule) {}

  /** Samples taken since the first alert (the ones the stop rule looks at). */
  get sampled(): readonly Sample[] {
    return this.samples;
  }

  get alerted(): boolean {
    return this.lastAlertAt !== undefined;
  }

  /** The samples within the last stableWindowSec before `now`. */
  latest(now: number): Sample[] {
    const from = now - this.rule.stableWindowSec * 1000;
    return this.samples.filter((s) => s.t >= from);
  }

  tick(now: number, alert: boolean, activeUsers: number): Decision {
    const rest = this.rule.restTimeSec * 1000;
    if (alert) this.lastAlertAt = now;

    if (this.lastAlertAt !== undefined) {
      this.samples.push({ t: now, users: activeUsers });
      const latest = this.latest(now);
      if (latest.length > 0 && latest.length < this.samples.length && Math.abs(slope(latest)) < this.rule.stopSlope) {
        this.supportedUsers = Math.round(average(latest));
        return { delta: 0, reason: 'done', supportedUsers: this.supportedUsers };
      }
      // Older samples are no longer needed once the window holds enough of its own.
      if (this.samples.length >= 2 * latest.length) this.samples = [this.samples[this.samples.length - latest.length - 1], ...latest];
    }

    const rested = (since: number | undefined) => since === undefined || now - since >= rest;
    if (!rested(this.lastActionAt) && this.lastAlertAt !== undefined) return { delta: 0, reason: 'rest' };
    if (alert) {
      const n = Math.min(this.rule.numUsersDec, activeUsers);
      if (n > 0) this.lastActionAt = now;
      return { delta: -n, reason: 'decrement' };
    }
    if (!rested(this.lastAlertAt)) return { delta: 0, reason: 'rest' };
    if (activeUsers >= this.rule.maxActiveUsers) return { delta: 0, reason: 'at-max' };
    this.lastActionAt = now;
    return { delta: Math.min(this.rule.numUsersInc, this.rule.maxActiveUsers - activeUsers), reason: 'increment' };
  }
}
