import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { DrainState, runDrain } from './drain.js';
import { DRAIN_CLOSE_CODE, drainSteps, ShutdownParts } from './shutdown.js';

/** A node's parts that record what the drain does to them, in order. */
function recordingParts(opts: { requestEndsAfterMs?: number } = {}) {
  const calls: string[] = [];
  const state = new DrainState();
  const http = createServer();
  const res = { headersSent: false, setHeader: () => undefined } as never;
  state.started(res);
  setTimeout(() => {
    calls.push('last request ended');
    state.ended(res);
  }, opts.requestEndsAfterMs ?? 10).unref();
  const parts = {
    state,
    http,
    app: { close: async () => void calls.push('app.close (jobs handed back, queues closed)') },
    hub: {
      drain: async (handOff: unknown, code: number) => {
        calls.push(`hub.drain ${handOff ? 'with' : 'without'} handoff, code ${code}, draining=${state.draining}`);
        return 2;
      },
    },
    cluster: {
      leave: async (graceMs: number) => void calls.push(`cluster.leave ${graceMs}`),
      handOff: () => undefined,
      stop: async () => void calls.push('cluster.stop (goodbye, streams closed)'),
    },
    db: { close: async () => void calls.push('db.close') },
    config: { get: () => ({ ServiceSettings: { GracefulShutdownTimeoutSeconds: 5 } }) },
  } as unknown as ShutdownParts;
  return { parts, calls, state, http };
}

describe('the drain sequence', () => {
  it('stops taking work, leaves the cluster, hands the sockets over, waits for requests, then closes jobs, streams and the pool', async () => {
    const { parts, calls, state, http } = recordingParts({ requestEndsAfterMs: 50 });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const reports = await runDrain(
      drainSteps(parts, 5_000, () => undefined),
      { graceMs: 5_000 },
    );
    expect(state.draining).toBe(true);
    expect(http.listening).toBe(false);
    expect(calls).toEqual([
      'cluster.leave 5000',
      `hub.drain with handoff, code ${DRAIN_CLOSE_CODE}, draining=true`,
      'last request ended',
      'app.close (jobs handed back, queues closed)',
      'cluster.stop (goodbye, streams closed)',
      'db.close',
    ]);
    expect(reports.every((r) => r.outcome === 'done')).toBe(true);
  });

  it('a single node closes its sockets without a handoff', async () => {
    const { parts, calls } = recordingParts();
    const single = { ...parts, cluster: undefined };
    await runDrain(
      drainSteps(single, 5_000, () => undefined),
      { graceMs: 5_000 },
    );
    expect(calls).toEqual([
      `hub.drain without handoff, code ${DRAIN_CLOSE_CODE}, draining=true`,
      'last request ended',
      'app.close (jobs handed back, queues closed)',
      'db.close',
    ]);
  });

  it('a request that outlives the grace period is cut, and jobs, streams and pool are still closed in time', async () => {
    const { parts, calls } = recordingParts({ requestEndsAfterMs: 60_000 });
    const started = Date.now();
    const reports = await runDrain(
      drainSteps(parts, 300, () => undefined),
      { graceMs: 300 },
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reports.find((r) => r.name === 'finish requests in flight')?.outcome).toBe('timed out');
    expect(calls).toEqual([
      'cluster.leave 300',
      `hub.drain with handoff, code ${DRAIN_CLOSE_CODE}, draining=true`,
      'app.close (jobs handed back, queues closed)',
      'cluster.stop (goodbye, streams closed)',
      'db.close',
    ]);
  });
});
