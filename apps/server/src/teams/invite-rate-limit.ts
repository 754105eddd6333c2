/**
 * Invitation mails per sender (Mattermost's PerHourEmailRateLimiter: 20 an hour, in a burst of up
 * to 20). A token bucket per sender in this node's memory: each node limits on its own, so a
 * cluster of n nodes lets a sender at most n times as many; the limit is against mail floods
 * through one session, not an exact quota.
 */
export class InviteRateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perHour = 20,
    private readonly burst = 20,
    private readonly maxSenders = 10_000,
  ) {}

  /** Takes `count` mails from the sender's bucket; when they do not fit, takes none and says when they would. */
  take(senderId: string, count: number, now = Date.now()): { ok: true } | { ok: false; retryAfterMs: number; resetAfterMs: number } {
    const ratePerMs = this.perHour / 3_600_000;
    const held = this.buckets.get(senderId);
    const tokens = held ? Math.min(this.burst, held.tokens + (now - held.at) * ratePerMs) : this.burst;
    if (count > tokens) {
      const retryAfterMs = count > this.burst ? Infinity : Math.ceil((count - tokens) / ratePerMs);
      return { ok: false, retryAfterMs, resetAfterMs: Math.ceil((this.burst - tokens) / ratePerMs) };
    }
    this.buckets.delete(senderId);
    this.buckets.set(senderId, { tokens: tokens - count, at: now });
    // Forget the longest-idle senders first (Map keeps insertion order; a take re-inserts).
    while (this.buckets.size > this.maxSenders) this.buckets.delete(this.buckets.keys().next().value as string);
    return { ok: true };
  }
}
