/** Below this many remembered notices the map is never swept. */
const SWEEP_MIN = 1024;

/**
 * At most one "X is typing…" notice per user and channel within a window (milliseconds; 0 or less
 * lets every notice through). Mattermost's server publishes every `user_typing` it gets and leaves
 * the pacing to its clients; without this a socket sending a burst of frames fans every one out
 * to every member.
 *
 * The key is the user and the channel, not the thread (`parent_id`): parent_id is whatever the
 * client sends, so keying on it would let a flood through one fresh parent at a time, and a real
 * client types in one box at a time (the webapp paces its notices once for all channels).
 *
 * Memory: only notices that passed the permission check are remembered, and entries older than
 * the window are swept once the map has doubled since the last sweep.
 */
export class TypingThrottle {
  private readonly last = new Map<string, number>();
  private sweepAt = SWEEP_MIN;

  /** Whether a notice from the user in the channel (or the thread: any key of a place) was let through less than `windowMs` before `now`. */
  recent(userId: string, channelId: string, now: number, windowMs: number): boolean {
    const at = this.last.get(key(userId, channelId));
    return at !== undefined && now - at < windowMs;
  }

  /**
   * Lets a notice through (and remembers it) unless one was let through within the window. Asked
   * again after the permission check, so two concurrent requests cannot both pass.
   */
  admit(userId: string, channelId: string, now: number, windowMs: number): boolean {
    if (windowMs <= 0) return true;
    if (this.recent(userId, channelId, now, windowMs)) return false;
    this.last.set(key(userId, channelId), now);
    if (this.last.size >= this.sweepAt) this.sweep(now, windowMs);
    return true;
  }

  /** How many notices are remembered (for the spec's memory check). */
  get size(): number {
    return this.last.size;
  }

  private sweep(now: number, windowMs: number): void {
    for (const [k, at] of this.last) {
      if (now - at >= windowMs) this.last.delete(k);
    }
    this.sweepAt = Math.max(SWEEP_MIN, this.last.size * 2);
  }
}

function key(userId: string, channelId: string): string {
  return `${userId}:${channelId}`;
}
