/**
 * What a stand-in provider answers for one device token, set by the test: a queue of one-off
 * answers, a standing answer (a token that is gone for good), and a hold that keeps a request
 * waiting until the test releases it (a send in flight).
 */
export class TokenScripts<Reply> {
  private readonly queued = new Map<string, Reply[]>();
  private readonly standing = new Map<string, Reply>();
  private readonly holds = new Map<string, { released: Promise<void>; release: () => void }>();

  /** The next requests for `token` get these answers, in order; then the standing answer or the default. */
  queue(token: string, replies: Reply[]): void {
    this.queued.set(token, [...(this.queued.get(token) ?? []), ...replies]);
  }

  /** Every request for `token` gets this answer (after the queued ones). */
  always(token: string, reply: Reply): void {
    this.standing.set(token, reply);
  }

  /** The answer for this request, if the test set one. */
  next(token: string): Reply | undefined {
    const queue = this.queued.get(token);
    if (queue?.length) return queue.shift();
    return this.standing.get(token);
  }

  /** Requests for `token` wait (after their checks) until the returned function is called. */
  hold(token: string): () => void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.set(token, { released, release });
    return () => {
      this.holds.delete(token);
      release();
    };
  }

  waitIfHeld(token: string): Promise<void> {
    return this.holds.get(token)?.released ?? Promise.resolve();
  }

  /** Releases every hold (stop). */
  releaseAll(): void {
    for (const { release } of this.holds.values()) release();
    this.holds.clear();
  }
}
