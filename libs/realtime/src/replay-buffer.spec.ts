import { describe, expect, it } from 'vitest';
import { ReplayBuffer } from './replay-buffer.js';

/** A buffer that was given frames `f<seq>` for seq 0..count-1. */
function filled(capacity: number, count: number): ReplayBuffer {
  const buffer = new ReplayBuffer(capacity);
  for (let seq = 0; seq < count; seq++) buffer.push(seq, `f${seq}`);
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
    expect(buffer.from(0, 5)).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    expect(buffer.from(2, 5)).toEqual(['f2', 'f3', 'f4']);
    expect(buffer.from(4, 5)).toEqual(['f4']);
  });

  it('keeps only the last `capacity` frames', () => {
    const buffer = filled(3, 5);
    expect(buffer.from(2, 5)).toEqual(['f2', 'f3', 'f4']);
    expect(buffer.from(3, 5)).toEqual(['f3', 'f4']);
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
    expect(buffer.from(0, 3)).toEqual(['f0', 'f1', 'f2']);
    buffer.push(3, 'f3');
    expect(buffer.from(0, 4)).toBeNull();
    expect(buffer.from(1, 4)).toEqual(['f1', 'f2', 'f3']);
  });

  it('does not hand out its own array', () => {
    const buffer = filled(4, 2);
    buffer.from(0, 2)!.push('junk');
    expect(buffer.from(0, 2)).toEqual(['f0', 'f1']);
  });

  it('after clear() only what is pushed next is held, numbered from its seq', () => {
    const buffer = filled(4, 6);
    buffer.clear();
    expect(buffer.from(5, 6)).toBeNull();
    expect(buffer.from(6, 6)).toEqual([]);
    buffer.push(6, 'f6');
    buffer.push(7, 'f7');
    expect(buffer.from(6, 8)).toEqual(['f6', 'f7']);
    expect(buffer.from(7, 8)).toEqual(['f7']);
    expect(buffer.from(5, 8)).toBeNull();
  });

  it('starts numbering at the first seq it is given', () => {
    const buffer = new ReplayBuffer(4);
    buffer.push(100, 'f100');
    buffer.push(101, 'f101');
    expect(buffer.from(100, 102)).toEqual(['f100', 'f101']);
    expect(buffer.from(101, 102)).toEqual(['f101']);
    expect(buffer.from(99, 102)).toBeNull();
  });
});
