import { EventEmitter } from 'node:events';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { ALWAYS_FLOOR_MS, DrainState, runDrain, trackRequests } from './drain.js';

const never = () => new Promise<void>(() => undefined);

describe('runDrain', () => {
  it('runs the steps in order, one after the other', async () => {
    const order: string[] = [];
    const step = (name: string, ms: number) => ({
      name,
      run: async () => {
        order.push(`${name} start`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name} end`);
      },
    });
    const reports = await runDrain([step('a', 20), step('b', 0), step('c', 5)], { graceMs: 5_000 });
    expect(order).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(reports.map((r) => r.outcome)).toEqual(['done', 'done', 'done']);
  });

  it('bounds a step by its own timeout and goes on', async () => {
    const reports = await runDrain(
      [
        { name: 'hangs', timeoutMs: 50, run: never },
        { name: 'next', run: () => undefined },
      ],
      { graceMs: 5_000 },
    );
    expect(reports.map((r) => [r.name, r.outcome])).toEqual([
      ['hangs', 'timed out'],
      ['next', 'done'],
    ]);
    expect(reports[0].ms).toBeLessThan(1_000);
  });

  it('reports a failed step and goes on', async () => {
    const reports = await runDrain(
      [
        {
          name: 'throws',
          run: () => {
            throw new Error('boom');
          },
        },
        { name: 'next', run: async () => undefined },
      ],
      { graceMs: 1_000 },
    );
    expect(reports[0]).toMatchObject({ outcome: 'failed', error: 'boom' });
    expect(reports[1].outcome).toBe('done');
  });

  it('never runs past the grace period: later steps are skipped, except those that always run, which get a floor', async () => {
    const ran: string[] = [];
    const started = Date.now();
    const reports = await runDrain(
      [
        { name: 'slow', run: never },
        { name: 'optional', run: () => void ran.push('optional') },
        { name: 'release', always: true, run: () => void ran.push('release') },
        { name: 'release hangs', always: true, run: never },
      ],
      { graceMs: 100 },
    );
    const took = Date.now() - started;
    expect(reports.map((r) => r.outcome)).toEqual(['timed out', 'skipped', 'done', 'timed out']);
    expect(ran).toEqual(['release']);
    // The grace period, then at most the floor for the one `always` step that hangs.
    expect(took).toBeGreaterThanOrEqual(100 + ALWAYS_FLOOR_MS - 20);
    expect(took).toBeLessThan(100 + 2 * ALWAYS_FLOOR_MS);
  });
});

class FakeResponse extends EventEmitter {
  headersSent = false;
  readonly headers: Record<string, string> = {};
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
}

describe('DrainState and trackRequests', () => {
  const request = (state: DrainState) => {
    const res = new FakeResponse();
    trackRequests(state)({} as never, res as unknown as Response, () => undefined);
    return res;
  };

  it('counts requests in flight and resolves idle() when the last one ends', async () => {
    const state = new DrainState();
    await state.idle(); // nothing in flight
    const a = request(state);
    const b = request(state);
    expect(state.requestsInFlight).toBe(2);
    let idle = false;
    void state.idle().then(() => (idle = true));
    a.emit('close');
    await Promise.resolve();
    expect(idle).toBe(false);
    b.emit('close');
    b.emit('close'); // counted once
    await Promise.resolve();
    expect(idle).toBe(true);
    expect(state.requestsInFlight).toBe(0);
  });

  it('is quiet once nothing is in flight and nothing has started for the quiet period', async () => {
    const state = new DrainState();
    const a = request(state);
    const quiet = state.quiet(100);
    let done = false;
    void quiet.then(() => (done = true));
    a.emit('close');
    // Another request starts and ends: the quiet period counts from its start.
    const second = Date.now();
    request(state).emit('close');
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    await quiet;
    expect(Date.now() - second).toBeGreaterThanOrEqual(95);
    expect(state.requestsInFlight).toBe(0);
  });

  it('marks responses Connection: close once draining: those in flight (headers not yet sent) and every new one', () => {
    const state = new DrainState();
    const before = request(state);
    const sent = request(state);
    sent.headersSent = true;
    expect(before.headers.connection).toBeUndefined();
    state.begin(1234);
    expect(state.draining).toBe(true);
    expect(state.since).toBe(1234);
    expect(before.headers.connection).toBe('close');
    expect(sent.headers.connection).toBeUndefined();
    expect(request(state).headers.connection).toBe('close');
  });
});
