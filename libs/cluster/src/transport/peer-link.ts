import { randomBytes } from 'node:crypto';
import { CLUSTER_PROTOCOL } from '../contracts.js';
import { FrameKind, type Frame, type Frames, type Hello } from './cluster-schema.js';
import { SendBuffer, type BufferLimit } from './send-buffer.js';

/** Where frames to the peer go: the current gRPC call (client or server side), seen as a writable. */
export interface FrameSink {
  /** Writes one gRPC message; `done` runs once the call has taken it (or failed). */
  write(batch: Frames, done: (error?: Error | null) => void): unknown;
}

/**
 * Bounds of one gRPC message. grpc-js takes one message per event-loop turn, so a node busy with
 * other work would send one frame per turn and fall ever further behind; instead, each message
 * carries every frame that waited meanwhile, up to these bounds (at least one frame).
 */
export const MAX_BATCH_FRAMES = 512;
export const MAX_BATCH_BYTES = 1 << 20;

export interface AckPolicy {
  /** Acknowledge at once after this many new frames... */
  everyFrames: number;
  /** ...or this long after the first unacknowledged one. */
  delayMs: number;
}

/**
 * Ordered, exactly-once delivery to and from ONE peer, across any number of successive streams.
 *
 * Outgoing: every sequenced frame gets the next number of this link's outgoing sequence and stays
 * in the SendBuffer until the peer acknowledges it cumulatively. On a new stream the HELLOs tell
 * each side where the other stopped, and only the missing tail is written again.
 * Incoming: frames at or below the last sequence number received are duplicates and dropped.
 *
 * Each outgoing sequence has a random id (`sendStream`). A peer that restarted, or that dropped and
 * re-created its state for us, reports a different id (or does not know ours), and both sides then
 * restart numbering from what the sender still holds instead of misreading old numbers.
 */
export class PeerLink {
  readonly sendStream = randomBytes(9).toString('base64url');
  private readonly buffer: SendBuffer;
  private nextSeq = 1;
  /** Next seq to write on the current stream. */
  private nextWrite = 1;
  private highestWritten = 0;
  private recvStream = '';
  private lastReceived = 0;
  private unacknowledged = 0;
  private ackTimer: NodeJS.Timeout | null = null;
  private sink: FrameSink | null = null;
  private ready = false;
  /** A message is with the call: frames wait for the next one. */
  private writing = false;

  sent = 0;
  received = 0;
  resent = 0;
  /** gRPC messages written (each a batch of frames). */
  messages = 0;
  /** Payload bytes of the frames written (resends included) and of the frames received (duplicates not). */
  bytesSent = 0;
  bytesReceived = 0;
  /** Streams that came up again after the first one (the link broke and was re-established). */
  reconnects = 0;
  private everUp = false;

  constructor(
    readonly nodeId: string,
    limit: BufferLimit,
    private readonly ack: AckPolicy,
    private readonly warn: (message: string) => void,
  ) {
    this.buffer = new SendBuffer(limit);
  }

  /** Handshake done on the current stream: frames flow. */
  get connected(): boolean {
    return this.ready;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /**
   * Numbers a frame, keeps it until acknowledged, and writes it at once if the stream is up.
   * Returns false (frame not taken) if the buffer is full.
   */
  enqueue(frame: Omit<Frame, 'seq'>): boolean {
    if (!this.buffer.fits(frame.payload?.length ?? 0)) return false;
    this.buffer.push({ ...frame, seq: this.nextSeq++ });
    this.sent++;
    this.pump();
    return true;
  }

  /** Starts using a new stream; frames wait until `resume` (the peer's HELLO). */
  attach(sink: FrameSink): void {
    this.detach();
    this.sink = sink;
  }

  /** The current stream is gone; keep everything for the next one. */
  detach(): void {
    this.sink = null;
    this.ready = false;
    this.writing = false;
    this.unacknowledged = 0;
    this.clearAckTimer();
  }

  isAttached(sink: unknown): boolean {
    return this.sink !== null && this.sink === sink;
  }

  /** This side's resume point, sent in our HELLO. */
  helloFields(): Pick<Hello, 'send_stream' | 'first_seq' | 'recv_stream' | 'last_received'> {
    return {
      send_stream: this.sendStream,
      first_seq: this.buffer.firstSeq() ?? this.nextSeq,
      recv_stream: this.recvStream,
      last_received: this.lastReceived,
    };
  }

  /** The peer's HELLO arrived on the current stream: drop what it has, resend the rest, go. */
  resume(hello: Hello): void {
    if (hello.send_stream !== this.recvStream) {
      // A sequence we have not seen (first contact, or the peer started afresh): it begins at
      // the oldest frame the peer still holds for us.
      this.recvStream = hello.send_stream;
      this.lastReceived = hello.first_seq - 1;
    } else if (hello.first_seq - 1 > this.lastReceived) {
      this.warn(`peer ${this.nodeId} no longer holds frames ${this.lastReceived + 1}..${hello.first_seq - 1}`);
      this.lastReceived = hello.first_seq - 1;
    }
    // Its last_received counts only if it refers to our current sequence; otherwise it has
    // nothing of ours and gets everything we still hold.
    if (hello.recv_stream === this.sendStream) this.buffer.ackUpTo(hello.last_received);
    this.nextWrite = this.buffer.firstSeq() ?? this.nextSeq;
    if (this.everUp) this.reconnects++;
    this.everUp = true;
    this.ready = true;
    this.pump();
  }

  /** A sequenced frame arrived. Returns false for a duplicate (already delivered). */
  accept(seq: number, bytes = 0): boolean {
    if (seq <= this.lastReceived) return false;
    this.bytesReceived += bytes;
    if (seq !== this.lastReceived + 1) this.warn(`frames ${this.lastReceived + 1}..${seq - 1} from ${this.nodeId} are missing`);
    this.lastReceived = seq;
    this.received++;
    if (++this.unacknowledged >= this.ack.everyFrames) this.sendAck();
    else this.ackTimer ??= setTimeout(() => this.sendAck(), this.ack.delayMs).unref();
    return true;
  }

  /** The peer acknowledged everything up to `seq`. */
  acknowledged(seq: number): void {
    this.buffer.ackUpTo(seq);
    if (this.nextWrite < (this.buffer.firstSeq() ?? this.nextSeq)) this.nextWrite = this.buffer.firstSeq() ?? this.nextSeq;
  }

  /** Stops for good; returns how many frames were never acknowledged. */
  close(): number {
    this.detach();
    return this.buffer.clear();
  }

  /** Writes what waits as one message; when the call has taken it, writes what waited meanwhile. */
  private pump(): void {
    const sink = this.sink;
    if (!sink || !this.ready || this.writing) return;
    const frames = this.nextBatch();
    if (frames.length === 0) return;
    this.writing = true;
    this.messages++;
    sink.write({ frames, protocol: CLUSTER_PROTOCOL }, () => {
      if (this.sink !== sink) return; // a stream we no longer use
      this.writing = false;
      this.pump();
    });
  }

  private nextBatch(): Frame[] {
    const frames: Frame[] = [];
    let bytes = 0;
    while (this.nextWrite < this.nextSeq && frames.length < MAX_BATCH_FRAMES) {
      const frame = this.buffer.get(this.nextWrite);
      if (frame && frames.length > 0 && bytes + (frame.payload?.length ?? 0) > MAX_BATCH_BYTES) break;
      this.nextWrite++;
      if (!frame) continue;
      if (frame.seq <= this.highestWritten) this.resent++;
      else this.highestWritten = frame.seq;
      frames.push(frame);
      bytes += frame.payload?.length ?? 0;
    }
    this.bytesSent += bytes;
    return frames;
  }

  /** Acknowledges everything received so far right away (before a clean shutdown). */
  acknowledgeNow(): void {
    if (this.received > 0) this.sendAck();
  }

  private sendAck(): void {
    this.clearAckTimer();
    this.unacknowledged = 0;
    // Not sequenced: it may overtake frames waiting for the message in flight.
    if (this.sink && this.ready) this.sink.write({ frames: [{ kind: FrameKind.ACK, seq: this.lastReceived }], protocol: CLUSTER_PROTOCOL }, () => {});
  }

  private clearAckTimer(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }
}
