import { afterEach, describe, expect, it, vi } from 'vitest';
import { InProcessDriver } from './in-process-driver.js';
import { Delivery } from './queue-driver.js';

const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let driver: InProcessDriver;
afterEach(async () => {
  vi.useRealTimers();
  await driver?.close();
});

describe('InProcessDriver', () => {
  it('delivers queued items in order, the same id once while it is queued or running', async () => {
    driver = new InProcessDriver();
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    driver.work(
      'q',
      async (d) => {
        seen.push(`${d.id}#${d.delivery}`);
        if (d.id === 'a') await gate;
      },
      { concurrency: 1 },
    );
    await driver.enqueue('q', 'a');
    await driver.enqueue('q', 'b', { x: '1' });
    await driver.enqueue('q', 'a'); // running: ignored
    await driver.enqueue('q', 'b'); // queued: ignored
    await tick();
    expect(seen).toEqual(['a#1']);
    release();
    await sleep(5);
    expect(seen).toEqual(['a#1', 'b#1']);
    await driver.enqueue('q', 'a'); // finished: a new item
    await sleep(5);
    expect(seen).toEqual(['a#1', 'b#1', 'a#1']);
  });

  it('keeps items until a worker is registered, and runs up to `concurrency` at once', async () => {
    driver = new InProcessDriver();
    for (const id of ['1', '2', '3', '4']) await driver.enqueue('q', id);
    expect(driver.waiting('q')).toBe(4);
    let running = 0;
    let peak = 0;
    driver.work(
      'q',
      async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(10);
        running--;
      },
      { concurrency: 2 },
    );
    await sleep(50);
    expect(peak).toBe(2);
    expect(driver.waiting('q')).toBe(0);
  });

  it('delivers again after retryInMs, counting deliveries', async () => {
    driver = new InProcessDriver();
    const seen: Delivery[] = [];
    driver.work(
      'q',
      async (d) => {
        seen.push(d);
        return d.delivery < 3 ? { retryInMs: 5 } : undefined;
      },
      { concurrency: 1 },
    );
    await driver.enqueue('q', 'x', { k: 'v' });
    await sleep(60);
    expect(seen.map((d) => d.delivery)).toEqual([1, 2, 3]);
    expect(seen.every((d) => d.data.k === 'v')).toBe(true);
  });

  it('cancel() aborts the signal of that delivery with reason "cancel"; close() aborts with "shutdown"', async () => {
    driver = new InProcessDriver();
    const reasons: string[] = [];
    driver.work(
      'q',
      (d, ctx) =>
        new Promise<void>((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            reasons.push(`${d.id}:${ctx.signal.reason}`);
            resolve();
          });
        }),
      { concurrency: 2 },
    );
    await driver.enqueue('q', 'one');
    await driver.enqueue('q', 'two');
    await tick();
    await driver.cancel('one');
    await driver.cancel('unknown');
    await tick();
    expect(reasons).toEqual(['one:cancel']);
    await driver.close();
    expect(reasons).toEqual(['one:cancel', 'two:shutdown']);
  });

  it('fires schedules on aligned slots, one delivery per slot, until unscheduled', async () => {
    vi.useFakeTimers({ now: 10_250, toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] });
    driver = new InProcessDriver();
    const slots: Array<[string, number | undefined]> = [];
    driver.work(
      'q',
      async (d) => {
        slots.push([d.id, d.slot]);
      },
      { concurrency: 1 },
    );
    await driver.schedule('q', 'tick', { every: 1000 });
    await driver.schedule('q', 'tick', { every: 1000 }); // re-arming does not double the slots
    await vi.advanceTimersByTimeAsync(2800);
    expect(slots).toEqual([
      ['tick@11000', 11000],
      ['tick@12000', 12000],
      ['tick@13000', 13000],
    ]);
    await driver.unschedule('q', 'tick');
    await vi.advanceTimersByTimeAsync(3000);
    expect(slots).toHaveLength(3);
  });

  it('a worker that stops takes no more items; its running delivery finishes', async () => {
    driver = new InProcessDriver();
    const seen: string[] = [];
    const handle = driver.work(
      'q',
      async (d) => {
        await sleep(10);
        seen.push(d.id);
      },
      { concurrency: 1 },
    );
    await driver.enqueue('q', 'a');
    await driver.enqueue('q', 'b');
    await tick();
    await handle.stop();
    expect(seen).toEqual(['a']);
    expect(driver.waiting('q')).toBe(1);
  });
});
