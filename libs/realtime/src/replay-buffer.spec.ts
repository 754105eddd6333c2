import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './replay-buffer.js';

/** The prefix of event `n` (framePrefix's shape: the frame without its seq). */
const prefix = (n: number) => `{"event":"e${n}","seq":`;
/** Event `n`'s frame as sent with seq `n`. */
const frame = (n: number) => `${prefix(n)}${n}}`;

/** A buffer that was given events 0..count-1, each numbered as its own seq. */
function filled(capacity: number, count: number): ReplayBuffer {
  const buffer = new ReplayBuffer(capacity);
  for (let seq = 0; seq < count; seq++) buffer.push(seq, prefix(seq));
  return buffer;
}

describe('ReplayBuffer', () => {
  it('returns [] when nothing was missed', () => {
    expect(new ReplayBuffer(4).from(0, 0)).toEqual([]);
    expect(filled(4, 3).from(3, 3)).toEqual([]);
    expect(filled(2, 10).from(10, 10)).toEqual([]);
  });

  it('returns the frames from seq on, in order', () => {
    const buffer = filled(8, 5);
    expect(buffer.from(0, 5)).toEqual([frame(0), frame(1), frame(2), frame(3), frame(4)]);
    expect(buffer.from(2, 5)).toEqual([frame(2), frame(3), frame(4)]);
    expect(buffer.from(4, 5)).toEqual([frame(4)]);
  });

  it('keeps only the last `capacity` frames', () => {
    const buffer = filled(3, 5);
    expect(buffer.from(2, 5)).toEqual([frame(2), frame(3), frame(4)]);
    expect(buffer.from(3, 5)).toEqual([frame(3), frame(4)]);
  });

  it('returns null when the gap is no longer held', () => {
    const buffer = filled(3, 5);
    expect(buffer.from(1, 5)).toBeNull();
    expect(buffer.from(0, 5)).toBeNull();
  });

  it('returns null for a seq from the future or a negative seq', () => {
    const buffer = filled(3, 5);
    expect(buffer.from(6, 5)).toBeNull();
    expect(filled(8, 3).from(-1, 3)).toBeNull();
  });

  it('returns null when it holds nothing but something was sent', () => {
    expect(new ReplayBuffer(3).from(0, 2)).toBeNull();
  });

  it('evicts exactly at capacity', () => {
    const buffer = filled(3, 3);
    expect(buffer.from(0, 3)).toEqual([frame(0), frame(1), frame(2)]);
    buffer.push(3, prefix(3));
    expect(buffer.from(0, 4)).toBeNull();
    expect(buffer.from(1, 4)).toEqual([frame(1), frame(2), frame(3)]);
  });

  it('does not hand out its own array', () => {
    const buffer = filled(4, 2);
    buffer.from(0, 2)!.push('junk');
    expect(buffer.from(0, 2)).toEqual([frame(0), frame(1)]);
  });

  it('after clear() only what is pushed next is held, numbered from its seq', () => {
    const buffer = filled(4, 6);
    buffer.clear();
    expect(buffer.from(5, 6)).toBeNull();
    expect(buffer.from(6, 6)).toEqual([]);
    buffer.push(6, prefix(6));
    buffer.push(7, prefix(7));
    expect(buffer.from(6, 8)).toEqual([frame(6), frame(7)]);
    expect(buffer.from(7, 8)).toEqual([frame(7)]);
    expect(buffer.from(5, 8)).toBeNull();
  });

  it('starts numbering at the first seq it is given', () => {
    const buffer = new ReplayBuffer(4);
    buffer.push(100, prefix(100));
    buffer.push(101, prefix(101));
    expect(buffer.from(100, 102)).toEqual([frame(100), frame(101)]);
    expect(buffer.from(101, 102)).toEqual([frame(101)]);
    expect(buffer.from(99, 102)).toBeNull();
  });

  it('holds the prefix it is given, one string for every connection of an event, and numbers the frames it makes', () => {
    const shared = prefix(7);
    const a = new ReplayBuffer(4);
    const b = new ReplayBuffer(4);
    a.push(0, shared);
    b.push(41, shared);
    expect(a.from(0, 1)).toEqual([`${shared}0}`]);
    expect(b.from(41, 42)).toEqual([`${shared}41}`]);
    expect(b.snapshot()).toEqual({ firstSeq: 41, frames: [`${shared}41}`] });
  });
});
