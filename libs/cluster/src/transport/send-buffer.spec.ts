import { describe, expect, it } from 'vitest';
import { FrameKind } from './cluster-schema.js';
import { SendBuffer } from './send-buffer.js';

const frame = (seq: number, bytes = 0) => ({ kind: FrameKind.DATA, seq, payload: Buffer.alloc(bytes) });

describe('SendBuffer', () => {
  it('keeps frames until a cumulative ack and finds them by seq', () => {
    const b = new SendBuffer({ maxFrames: 10, maxBytes: 1e9 });
    for (let s = 1; s <= 5; s++) b.push(frame(s));
    expect(b.length).toBe(5);
    expect(b.firstSeq()).toBe(1);
    expect(b.ackUpTo(3)).toBe(3);
    expect(b.firstSeq()).toBe(4);
    expect(b.get(3)).toBeUndefined();
    expect(b.get(5)?.seq).toBe(5);
    expect(b.get(6)).toBeUndefined();
    expect(b.ackUpTo(2)).toBe(0);
    expect(b.ackUpTo(99)).toBe(2);
    expect(b.length).toBe(0);
    expect(b.firstSeq()).toBeUndefined();
  });

  it('refuses frames beyond the frame or byte limit', () => {
    const byCount = new SendBuffer({ maxFrames: 2, maxBytes: 1e9 });
    byCount.push(frame(1));
    byCount.push(frame(2));
    expect(byCount.fits(0)).toBe(false);
    byCount.ackUpTo(1);
    expect(byCount.fits(0)).toBe(true);

    const byBytes = new SendBuffer({ maxFrames: 100, maxBytes: 1000 });
    expect(byBytes.fits(2000)).toBe(false);
    byBytes.push(frame(1, 800));
    expect(byBytes.fits(200)).toBe(false);
    expect(byBytes.fits(10)).toBe(true);
    byBytes.ackUpTo(1);
    expect(byBytes.bytes).toBe(0);
  });

  it('insists on consecutive sequence numbers', () => {
    const b = new SendBuffer();
    b.push(frame(7));
    expect(() => b.push(frame(9))).toThrow(/does not follow/);
  });

  it('stays consistent across compaction', () => {
    const b = new SendBuffer({ maxFrames: 1e6, maxBytes: 1e12 });
    for (let s = 1; s <= 5000; s++) b.push(frame(s));
    for (let s = 100; s <= 4900; s += 100) {
      b.ackUpTo(s);
      expect(b.firstSeq()).toBe(s + 1);
      expect(b.get(s + 50)?.seq).toBe(s + 50);
      expect(b.length).toBe(5000 - s);
    }
    expect(b.clear()).toBe(100);
  });
});
