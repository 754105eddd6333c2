import { describe, expect, it } from 'vitest';
import type { TimelinePoint } from '../run/driver.js';
import type { StallSample } from '../run/resources.js';
import { averageByKey, compareStalls, stallText } from './stalls.js';

const calm: StallSample = { stealPercent: 1, iowaitPercent: 2, cpuPressurePercent: 10, ioPressurePercent: 1, diskBusyPercent: 5, diskWriteMiBPerSec: 3 };

/** A tick whose requests averaged `tickAvgMs`; its health flag (a minute's look back) is left healthy. */
function point(t: number, users: number, tickAvgMs: number | undefined, extra: Partial<TimelinePoint> = {}, stall: StallSample | null = calm): TimelinePoint {
  const healthy = extra.healthy ?? true;
  return {
    t,
    users,
    ready: users,
    reqPerSec: 100,
    avgMs: 50,
    tickAvgMs,
    p99Ms: 0,
    http5xxPercent: 0,
    timeoutPercent: 0,
    wsEventsPerSec: 0,
    deliveryP99Ms: 0,
    healthy,
    failures: healthy ? [] : ['avg'],
    decision: '',
    resources: {
      serverCpuPercent: 90,
      serverRssMiB: 0,
      postgresCpuPercent: 50,
      generatorCpuPercent: 0,
      generatorRssMiB: 0,
      machineCpuPercent: 0,
      cores: 2,
      acceptQueue: 0,
      listenOverflows: 0,
      stall: stall ?? undefined,
    },
    generatorElu: 0,
    generatorDelayP99Ms: 0,
    pgBackends: { 'active CPU': 3 },
    pgXactPerSec: 0,
    pgWalMiBPerSec: 1,
    pgCheckpointer: 'Activity:CheckpointerMain',
    ...extra,
  };
}

describe('compareStalls', () => {
  it('sets the slow ticks against the other ones at no less than 90 % of the users of the first slow tick', () => {
    const io: StallSample = { ...calm, iowaitPercent: 40, ioPressurePercent: 70, diskBusyPercent: 100, diskWriteMiBPerSec: 80 };
    const timeline = [
      point(1, 100, 5), // a lighter load: left out
      point(2, 950, 20),
      // Its checks failed (they look back a minute) but its own requests were quick: not slow.
      point(3, 1000, 20, { healthy: false }),
      point(4, 1000, 300, { pgCheckpointer: 'IO:DataFileSync', pgWalMiBPerSec: 9, pgBackends: { 'active CPU': 1, 'active IO:WALSync': 6 } }, io),
      point(5, 1000, 100, { pgWalMiBPerSec: 5, pgBackends: { 'active IO:WALSync': 2, 'active Lock:transactionid': 1 } }, io),
    ];
    const s = compareStalls(timeline, 100)!;
    expect(s.slow).toMatchObject({ ticks: 2, avgMs: 200, iowaitPercent: 40, ioPressurePercent: 70, diskBusyPercent: 100, walMiBPerSec: 7 });
    expect(s.slow.checkpointer).toEqual({ 'IO:DataFileSync': 0.5, 'Activity:CheckpointerMain': 0.5 });
    expect(s.slow.waits).toEqual({ 'active IO:WALSync': 4, 'active Lock:transactionid': 0.5 });
    expect(s.otherAtLikeLoad).toMatchObject({ ticks: 2, avgMs: 20, iowaitPercent: 2, checkpointer: { 'Activity:CheckpointerMain': 1 }, waits: {} });
    const text = stallText(s);
    expect(text).toContain('ticks whose requests averaged ≥ 100 ms (2) against the other ticks at a like load (2)');
    expect(text).toContain('iowait 40 against 2 %');
    expect(text).toContain('the checkpointer: IO:DataFileSync 50 %, Activity:CheckpointerMain 50 % of the ticks (others: Activity:CheckpointerMain 100 %)');
    expect(text).toContain('active IO:WALSync 4');
  });

  it('sets what the busy backends ran in the slow ticks against the others', () => {
    const vacuum = 'autovacuum: VACUUM public.posts';
    const timeline = [
      point(1, 1000, 20, { pgStatements: { 'SELECT … FROM posts WHERE id = ?': 0.2 } }),
      point(2, 1000, 400, { pgStatements: { [vacuum]: 1, 'SELECT … FROM posts WHERE id = ?': 0.6 } }),
      point(3, 1000, 200, { pgStatements: { [vacuum]: 1 } }),
    ];
    const s = compareStalls(timeline, 100)!;
    expect(s.slow.statements).toEqual({ [vacuum]: 1, 'SELECT … FROM posts WHERE id = ?': 0.3 });
    expect(s.otherAtLikeLoad.statements).toEqual({ 'SELECT … FROM posts WHERE id = ?': 0.2 });
  });

  it('says nothing for a run without a slow tick, or a timeline from before the per-tick readings', () => {
    expect(compareStalls([point(1, 10, 20, { healthy: false }), point(2, 20, 99)], 100)).toBeNull();
    expect(compareStalls([point(1, 10, 500, {}, null)], 100)).toBeNull();
    expect(compareStalls([point(1, 10, undefined)], 100)).toBeNull();
  });
});

describe('averageByKey', () => {
  it('averages each key over every reading (one without it counts as 0), keeps the largest, leaves out what include refuses', () => {
    const readings: Array<Record<string, number> | undefined> = [{ a: 1, b: 2, 'x CPU': 9 }, undefined, { a: 2 }];
    expect(averageByKey(readings, Infinity)).toEqual({ 'x CPU': 3, a: 1, b: 0.67 });
    expect(averageByKey(readings, 1, (k) => !k.endsWith(' CPU'))).toEqual({ a: 1 });
  });
});
