import type { Frame } from './cluster-schema.js';

export interface BufferLimit {
  /** Unacknowledged frames kept per peer (default 100,000). */
  maxFrames: number;
  /** Unacknowledged payload bytes kept per peer (default 256 MB). */
  maxBytes: number;
}

export const DEFAULT_BUFFER_LIMIT: BufferLimit = { maxFrames: 100_000, maxBytes: 256 * 1024 * 1024 };

/** Rough per-frame overhead beyond the payload, so that many tiny frames also count. */
const FRAME_OVERHEAD_BYTES = 64;

interface Entry {
  frame: Frame & { seq: number };
  bytes: number;
}

/**
 * The frames sent to one peer and not yet acknowledged, in sequence order. Sequence numbers in
 * the buffer are consecutive: a frame that does not fit is refused before it gets a number (the
 * caller counts it as undeliverable), so the receiver never sees a hole.
 */
export class SendBuffer {
  private entries: Entry[] = [];
  /** Index of the oldest unacknowledged entry; acknowledged ones are compacted away lazily. */
  private head = 0;
  private totalBytes = 0;

  constructor(private readonly limit: BufferLimit = DEFAULT_BUFFER_LIMIT) {}

  get length(): number {
    return this.entries.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Sequence number of the oldest unacknowledged frame, if any. */
  firstSeq(): number | undefined {
    return this.entries[this.head]?.frame.seq;
  }

  /** Whether a frame with this payload size fits. */
  fits(payloadBytes: number): boolean {
    return this.length < this.limit.maxFrames && this.totalBytes + payloadBytes + FRAME_OVERHEAD_BYTES <= this.limit.maxBytes;
  }

  /** Appends a frame; its seq must follow the last one. Check `fits` first. */
  push(frame: Frame & { seq: number }): void {
    const last = this.entries[this.entries.length - 1];
    if (this.length > 0 && frame.seq !== last.frame.seq + 1) throw new Error(`send buffer: seq ${frame.seq} does not follow ${last.frame.seq}`);
    const bytes = (frame.payload?.length ?? 0) + FRAME_OVERHEAD_BYTES;
    this.entries.push({ frame, bytes });
    this.totalBytes += bytes;
  }

  /** The buffered frame with this seq, if still unacknowledged. */
  get(seq: number): (Frame & { seq: number }) | undefined {
    const first = this.firstSeq();
    if (first === undefined || seq < first) return undefined;
    return this.entries[this.head + (seq - first)]?.frame;
  }

  /** Drops every frame with seq ≤ `seq` (a cumulative acknowledgement); returns how many. */
  ackUpTo(seq: number): number {
    let dropped = 0;
    while (this.head < this.entries.length && this.entries[this.head].frame.seq <= seq) {
      this.totalBytes -= this.entries[this.head].bytes;
      this.head++;
      dropped++;
    }
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /** Empties the buffer; returns how many frames were still unacknowledged. */
  clear(): number {
    const n = this.length;
    this.entries = [];
    this.head = 0;
    this.totalBytes = 0;
    return n;
  }
}
