/**
 * Makes POST /posts idempotent per `pending_post_id` for a short window (Mattermost keeps 30 s):
 * a client retrying a request whose answer it lost gets the post already created, not a second
 * copy. Concurrent duplicates wait for the first attempt; a failed attempt frees the id.
 */
export class PendingPosts<T> {
  private readonly entries = new Map<string, { result: Promise<T>; expiresAt: number }>();

  constructor(private readonly ttlMs = 30_000) {}

  run(key: string, create: () => Promise<T>, now = Date.now()): Promise<T> {
    this.sweep(now);
    const existing = this.entries.get(key);
    if (existing) return existing.result;
    const result = create();
    this.entries.set(key, { result, expiresAt: now + this.ttlMs });
    result.catch(() => this.entries.delete(key));
    return result;
  }

  private sweep(now: number) {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
