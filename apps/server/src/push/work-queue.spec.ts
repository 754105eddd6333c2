import { describe, expect, it } from 'vitest';
import { WorkQueue } from './work-queue.js';

/** A run that waits until released, recording what started. */
function gate() {
  const started: number[] = [];
  const releases: Array<() => void> = [];
  const run = (n: number) =>
    new Promise<void>((resolve) => {
      started.push(n);
      releases.push(resolve);
    });
  const releaseAll = () => releases.splice(0).forEach((r) => r());
  return { started, run, releaseAll };
}

describe('WorkQueue', () => {
  it('runs at most `workers` items at once and the rest in order', async () => {
    const g = gate();
    const q = new WorkQueue<number>({ capacity: () => 10, workers: 2, run: g.run, onError: () => undefined });
    for (let i = 1; i <= 5; i++) expect(q.offer(i)).toBe(true);
    await Promise.resolve();
    expect(g.started).toEqual([1, 2]);
    expect(q.size).toBe(3);
    while (g.started.length < 5) {
      g.releaseAll();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(g.started).toEqual([1, 2, 3, 4, 5]);
    g.releaseAll();
    await q.idle();
  });

  it('refuses what does not fit (never waits), and takes again once there is room', async () => {
    const g = gate();
    let capacity = 2;
    const q = new WorkQueue<number>({ capacity: () => capacity, workers: 1, run: g.run, onError: () => undefined });
    expect(q.offer(1)).toBe(true); // taken by the worker at once
    expect(q.offer(2)).toBe(true);
    expect(q.offer(3)).toBe(true);
    expect(q.offer(4)).toBe(false); // two waiting: full
    capacity = 3; // a config change applies to the next offer
    expect(q.offer(5)).toBe(true);
    expect(q.offer(6)).toBe(false);
    expect(q.size).toBe(3);
    while (g.started.length < 4) {
      g.releaseAll();
      await new Promise((r) => setTimeout(r, 0));
    }
    g.releaseAll();
    await q.idle();
    expect(g.started).toEqual([1, 2, 3, 5]);
  });

  it('counts items by their weight (a post to many recipients), and an empty queue takes any item', async () => {
    const g = gate();
    const q = new WorkQueue<number>({ capacity: () => 10, workers: 1, run: g.run, onError: () => undefined });
    expect(q.offer(1, 50)).toBe(true); // taken at once by the worker
    await Promise.resolve();
    expect(q.offer(2, 50)).toBe(true); // waits alone: heavier than the capacity, but nothing else waits
    expect(q.size).toBe(50);
    expect(q.offer(3, 1)).toBe(false);
    g.releaseAll();
    await new Promise((r) => setTimeout(r, 0));
    expect(q.size).toBe(0);
    expect(q.offer(4, 6)).toBe(true);
    expect(q.offer(5, 4)).toBe(true);
    expect(q.offer(6, 1)).toBe(false);
    expect(q.size).toBe(10);
    q.stop();
    g.releaseAll();
  });

  it('goes on after a run throws, and reports it', async () => {
    const errors: unknown[] = [];
    const done: number[] = [];
    const q = new WorkQueue<number>({
      capacity: () => 10,
      workers: 1,
      run: async (n) => {
        if (n === 1) throw new Error('boom');
        done.push(n);
      },
      onError: (err) => errors.push(err),
    });
    q.offer(1);
    q.offer(2);
    await q.idle();
    expect(done).toEqual([2]);
    expect(String(errors[0])).toContain('boom');
  });

  it('refuses everything once stopped, and idle() resolves at once when empty', async () => {
    const q = new WorkQueue<number>({ capacity: () => 10, workers: 1, run: async () => undefined, onError: () => undefined });
    await q.idle();
    q.stop();
    expect(q.offer(1)).toBe(false);
  });
});
