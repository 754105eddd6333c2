/**
 * Scheduled jobs across nodes: two nodes upsert the same BullMQ job schedulers (every 2 s here,
 * JobSettings.CleanupIntervalSeconds); one of them is killed halfway. Every 2-second slot from the
 * first to the last runs exactly once — no slot twice, none missing, whichever nodes are up — and
 * a third node with RunJobs and RunScheduler off takes no work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '#testing';
import { JobCluster } from './jobs-harness.js';

const EVERY_MS = 2000;
const OBSERVE_MS = 60_000; // the issue asks for a minute of a schedule every few seconds
const TYPES = ['cleanup_expired_sessions', 'cleanup_expired_access_tokens'];
let cluster: JobCluster;

beforeAll(async () => {
  cluster = await JobCluster.start({
    nodes: 3,
    common: { MM_JOBSETTINGS_CLEANUPINTERVALSECONDS: String(EVERY_MS / 1000) },
    env: (i): Record<string, string> => (i === 2 ? { MM_JOBSETTINGS_RUNJOBS: 'false', MM_JOBSETTINGS_RUNSCHEDULER: 'false' } : {}),
  });
});
afterAll(() => cluster?.stop());

interface Row {
  type: string;
  status: string;
  attempts: number;
  node_id: string;
  schedule_key: string;
  create_at: number;
}

describe('a schedule every 2 s on two nodes, one of them killed halfway', () => {
  it('runs each slot exactly once, on the nodes that run jobs', async () => {
    const [a, b, idle] = cluster.nodes;
    const pids = { a: a.pid, b: b.pid, idle: idle.pid };
    await sleep(OBSERVE_MS / 2);
    await a.kill();
    await sleep(OBSERVE_MS / 2);
    // Let the slot in flight finish (on a loaded machine, a full run, it took more than a second),
    // then stop the last worker so the table stops changing.
    const running = async () =>
      (await cluster.sql<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE schedule_key IS NOT NULL AND status IN ('pending', 'in_progress')`))[0].n;
    await sleep(1000);
    for (let i = 0; i < 50 && (await running()) > 0; i++) await sleep(200);
    await b.stop();

    const rows = await cluster.sql<Row>(
      `SELECT type, status, attempts, node_id, schedule_key, create_at FROM jobs WHERE schedule_key IS NOT NULL ORDER BY schedule_key`,
    );
    for (const type of TYPES) {
      const mine = rows.filter((r) => r.type === type);
      const slots = mine.map((r) => Number(r.schedule_key.slice(type.length + 1))).sort((x, y) => x - y);
      // One row per slot (the schedule key is unique), aligned to the interval…
      expect(new Set(slots).size, type).toBe(slots.length);
      // The slots themselves in the message: a misaligned one has been seen once in a loaded full run.
      expect(
        slots.every((s) => s % EVERY_MS === 0),
        `${type}: ${slots.join(',')}`,
      ).toBe(true);
      // …none missing between the first and the last, across the kill…
      const expected = (slots.at(-1)! - slots[0]) / EVERY_MS + 1;
      expect(slots.length, `${type}: ${slots.join(',')}`).toBe(expected);
      expect(slots.length, type).toBeGreaterThanOrEqual(OBSERVE_MS / EVERY_MS - 2);
      // …each run to the end once: claimed once, or twice only if its node died mid-run.
      for (const r of mine) {
        expect(r.status, `${type} ${r.schedule_key}`).toBe('success');
        expect(r.attempts).toBeLessThanOrEqual(2);
      }
      expect(mine.filter((r) => r.attempts === 2).length).toBeLessThanOrEqual(1);
    }
    const ran = new Set(rows.map((r) => Number(r.node_id.slice(r.node_id.lastIndexOf(':') + 1))));
    expect(ran.has(pids.idle!)).toBe(false);
    // After the kill, the survivor carried on alone.
    const killedAt = Math.max(...rows.filter((r) => r.node_id.endsWith(`:${pids.a}`)).map((r) => r.create_at));
    expect(rows.some((r) => r.create_at > killedAt && r.node_id.endsWith(`:${pids.b}`))).toBe(true);
  });
});
