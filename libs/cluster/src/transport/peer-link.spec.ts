import { describe, expect, it } from 'vitest';
import { FrameKind, type Frame, type Frames } from './cluster-schema.js';
import { MAX_BATCH_BYTES, MAX_BATCH_FRAMES, PeerLink } from './peer-link.js';

/**
 * One direction of a stream: frames written, not yet handed to the other side. The call takes
 * each message at once, unless `hold` keeps it busy until `release()`.
 */
class Pipe {
  frames: Frame[] = [];
  batchSizes: number[] = [];
  hold = false;
  private busy: (() => void) | null = null;
  write(batch: Frames, done: () => void): void {
    this.frames.push(...batch.frames);
    this.batchSizes.push(batch.frames.length);
    if (this.hold) this.busy = done;
    else done();
  }
  release(): void {
    const done = this.busy;
    this.busy = null;
    done?.();
  }
}

const limit = { maxFrames: 1000, maxBytes: 1e9 };
const newLink = (peer: string, warnings: string[] = []) => new PeerLink(peer, limit, { everyFrames: 3, delayMs: 60_000 }, (m) => warnings.push(m));

function connect(a: PeerLink, b: PeerLink): { ab: Pipe; ba: Pipe } {
  const ab = new Pipe();
  const ba = new Pipe();
  a.attach(ab);
  b.attach(ba);
  const helloA = { node_id: 'a', proof: '', ...a.helloFields() };
  const helloB = { node_id: 'b', proof: '', ...b.helloFields() };
  a.resume(helloB);
  b.resume(helloA);
  return { ab, ba };
}

/** Hands the first `count` frames of `pipe` to `to`; returns the payloads `to` delivered. */
function flush(pipe: Pipe, to: PeerLink, count = Infinity): number[] {
  const delivered: number[] = [];
  for (const frame of pipe.frames.splice(0, count)) {
    if (frame.kind === FrameKind.ACK) to.acknowledged(frame.seq!);
    else if (to.accept(frame.seq!)) delivered.push(JSON.parse(frame.payload!.toString()));
  }
  return delivered;
}

const data = (n: number): Omit<Frame, 'seq'> => ({ kind: FrameKind.DATA, type: 't', payload: Buffer.from(String(n)) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('PeerLink', () => {
  it('buffers while disconnected and writes on handshake', () => {
    const a = newLink('b');
    const b = newLink('a');
    for (let i = 1; i <= 5; i++) a.enqueue(data(i));
    expect(a.buffered).toBe(5);
    const { ab } = connect(a, b);
    expect(flush(ab, b)).toEqual(range(1, 5));
  });

  it('resends exactly the unreceived tail on a new stream, dropping what was received', () => {
    const a = newLink('b');
    const b = newLink('a');
    let s = connect(a, b);
    for (let i = 1; i <= 10; i++) a.enqueue(data(i));
    expect(flush(s.ab, b, 6)).toEqual(range(1, 6)); // 7..10 die with the stream
    expect(flush(s.ba, a)).toEqual([]); // the ACKs of 3 and 6
    expect(a.buffered).toBe(4);
    a.detach();
    b.detach();
    a.enqueue(data(11));
    s = connect(a, b);
    expect(flush(s.ab, b)).toEqual(range(7, 11));
    expect(a.resent).toBe(4);
  });

  it('counts payload bytes written (resends too) and received (duplicates not), and reconnects', () => {
    const a = newLink('b');
    const b = newLink('a');
    let s = connect(a, b);
    for (let i = 1; i <= 4; i++) a.enqueue(data(i)); // 1 byte each
    expect(a.bytesSent).toBe(4);
    s.ab.frames.splice(0, 2).forEach((f) => b.accept(f.seq!, f.payload!.length)); // 3 and 4 die with the stream
    expect(b.bytesReceived).toBe(2);
    expect(b.accept(1, 1)).toBe(false); // a duplicate adds nothing
    expect(b.bytesReceived).toBe(2);
    expect([a.reconnects, b.reconnects]).toEqual([0, 0]);
    a.detach();
    b.detach();
    s = connect(a, b); // 3 and 4 are written again
    expect(a.bytesSent).toBe(6);
    expect([a.reconnects, b.reconnects]).toEqual([1, 1]);
    expect(s.ab.frames).toHaveLength(2);
  });

  it('uses the HELLO as an acknowledgement when ACKs were lost', () => {
    const a = newLink('b');
    const b = newLink('a');
    let s = connect(a, b);
    for (let i = 1; i <= 4; i++) a.enqueue(data(i));
    expect(flush(s.ab, b)).toEqual(range(1, 4));
    s.ba.frames = []; // the ACK is lost
    expect(a.buffered).toBe(4);
    a.detach();
    b.detach();
    s = connect(a, b);
    expect(a.buffered).toBe(0);
    expect(flush(s.ab, b)).toEqual([]);
    expect(a.resent).toBe(0);
  });

  it('drops duplicates by sequence number', () => {
    const a = newLink('b');
    const b = newLink('a');
    const s = connect(a, b);
    for (let i = 1; i <= 3; i++) a.enqueue(data(i));
    const copy = [...s.ab.frames];
    expect(flush(s.ab, b)).toEqual([1, 2, 3]);
    s.ab.frames = copy;
    expect(flush(s.ab, b)).toEqual([]);
    expect(b.received).toBe(3);
  });

  it('restarts numbering in both directions when the peer starts afresh', () => {
    const a = newLink('b');
    const oldB = newLink('a');
    let s = connect(a, oldB);
    for (let i = 1; i <= 5; i++) a.enqueue(data(i));
    for (let i = 1; i <= 7; i++) oldB.enqueue(data(100 + i));
    expect(flush(s.ab, oldB, 3)).toEqual([1, 2, 3]); // ACK of 3 written to ba
    expect(flush(s.ba, a)).toEqual(range(101, 107));
    a.detach();
    // b restarts: new state, new outgoing sequence that starts again at 1.
    const newB = newLink('a');
    newB.enqueue(data(201));
    s = connect(a, newB);
    // a still held 4 and 5 (unacknowledged): the new b gets them; a accepts seq 1 again from the new b.
    expect(flush(s.ab, newB)).toEqual([4, 5]);
    expect(flush(s.ba, a)).toEqual([201]);
  });

  it('writes what waited while a message was with the call as one message, in order', () => {
    const a = newLink('b');
    const b = newLink('a');
    const s = connect(a, b);
    s.ab.hold = true;
    a.enqueue(data(1));
    for (let i = 2; i <= 40; i++) a.enqueue(data(i));
    expect(s.ab.batchSizes).toEqual([1]); // 2..40 wait: the call is busy
    s.ab.release();
    expect(s.ab.batchSizes).toEqual([1, 39]);
    s.ab.release();
    expect(s.ab.batchSizes).toEqual([1, 39]); // nothing left to write
    expect(flush(s.ab, b)).toEqual(range(1, 40));
  });

  it('bounds a message by frames and by bytes, but always sends a frame however large', () => {
    const a = newLink('b');
    const b = newLink('a');
    for (let i = 1; i <= MAX_BATCH_FRAMES + 10; i++) a.enqueue(data(i));
    const s = connect(a, b);
    expect(s.ab.batchSizes).toEqual([MAX_BATCH_FRAMES, 10]);
    s.ab.frames = [];
    s.ab.batchSizes = [];
    const big = (n: number): Omit<Frame, 'seq'> => ({ kind: FrameKind.DATA, type: 't', payload: Buffer.from(String(n).padEnd(MAX_BATCH_BYTES * 0.75)) });
    s.ab.hold = true;
    a.enqueue(big(1));
    a.enqueue(big(2));
    a.enqueue(big(3));
    a.enqueue(data(4));
    s.ab.release();
    s.ab.release();
    expect(s.ab.batchSizes).toEqual([1, 1, 2]);
  });

  it('close() reports what was never acknowledged', () => {
    const a = newLink('b');
    for (let i = 1; i <= 4; i++) a.enqueue(data(i));
    expect(a.close()).toBe(4);
    expect(a.buffered).toBe(0);
  });
});
