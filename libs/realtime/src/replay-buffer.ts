/**
 * The last `capacity` frames a connection was given, by sequence number, so that a client that
 * reconnects with `sequence_number` can be sent exactly what it missed.
 */
export class ReplayBuffer {
  private readonly frames: string[] = [];
  private firstSeq = 0; // seq of frames[0]

  constructor(private readonly capacity: number) {}

  push(seq: number, frame: string): void {
    if (this.frames.length === 0) this.firstSeq = seq;
    this.frames.push(frame);
    if (this.frames.length > this.capacity) {
      this.frames.shift();
      this.firstSeq++;
    }
  }

  get length(): number {
    return this.frames.length;
  }

  /** Frames from `seq` on, or null when some of them are no longer held. */
  from(seq: number, nextSeq: number): string[] | null {
    if (seq === nextSeq) return [];
    if (this.frames.length === 0 || seq < this.firstSeq || seq > nextSeq) return null;
    return this.frames.slice(seq - this.firstSeq);
  }

  /** Everything held, for handing the connection to another node. */
  snapshot(): { firstSeq: number; frames: string[] } {
    return { firstSeq: this.firstSeq, frames: [...this.frames] };
  }

  clear(): void {
    this.frames.length = 0;
  }
}
