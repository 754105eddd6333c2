/**
 * A token bucket: up to `burst` actions at once, refilled at `perSecond`. Times are milliseconds
 * from a monotonic clock, given by the caller.
 */
export class ActionBudget {
  private tokens: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private at: number,
  ) {
    this.tokens = burst;
  }

  /** Spends one action if the budget has one at `now`. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.at);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
    this.at = Math.max(this.at, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
