/**
 * The claim, heartbeat and watcher logic against a throwaway database on the machine's
 * PostgreSQL, with the in-process driver: at most one run per job however it is delivered,
 * take-over after a silent holder, cancel, errors, shutdown and the attempts cap.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigService } from '#config';
import type { Database } from '#db';
import { Delivery, InProcessDriver, WorkContext } from '#jobs';
import { RecordingPublisher, ThrowawayDatabase, until } from '#testing';
import { SingleNodeState } from '../cluster/single-node.js';
import { JobEvents } from './job-events.js';
import { checkAborted, JobContext, JobHandler, JobHandlers } from './job-handler.js';
import { JobNode, JobRunner, MAX_ATTEMPTS } from './job-runner.js';
import { JobScheduling } from './job-scheduling.js';
import { JobWatcher } from './job-watcher.js';
import { JobsRepository } from './jobs.repository.js';

const LEASE_S = 1;

class Recorder extends RecordingPublisher {
  statuses(id: string): string[] {
    return this.events
      .map((e) => JSON.parse(e.data.job as string))
      .filter((j) => j.id === id)
      .map((j) => j.status);
  }
}

/** A job type driven by the test: it waits for `release`, honours aborts, counts its runs. */
class ProbeJob extends JobHandler {
  readonly type = 'probe';
  runs: string[] = [];
  release: () => void = () => undefined;
  private gate: Promise<void> = Promise.resolve();
  fail: string | null = null;

  block(): void {
    this.gate = new Promise((r) => (this.release = r));
  }

  async run(ctx: JobContext): Promise<void> {
    this.runs.push(ctx.job.id);
    await ctx.progress(40);
    ctx.setData({ step: 'half' });
    await Promise.race([this.gate, new Promise((_, fail) => ctx.signal.addEventListener('abort', () => fail(new Error('stop'))))]);
    checkAborted(ctx.signal);
    if (this.fail) throw new Error(this.fail);
  }
}

let pg: ThrowawayDatabase;
let db: Database;
let repo: JobsRepository;
let probe: ProbeJob;
let handlers: JobHandlers;
let events: Recorder;
let config: ConfigService;
let dir: string;

function runner(node: string, withConfig = config): JobRunner {
  return new JobRunner(repo, handlers, new JobEvents(events), withConfig, new JobNode(node));
}

function work(): WorkContext & { abort(reason: string): void } {
  const controller = new AbortController();
  return { signal: controller.signal, progress: async () => undefined, abort: (r) => controller.abort(r) };
}

const delivery = (id: string, extra: Partial<Delivery> = {}): Delivery => ({ queue: 'probe', id, data: {}, delivery: 1, ...extra });

/** Waits (5 s at most) for a job's runs or rows to reach a state. */
const settle = (check: () => boolean | Promise<boolean>) => until(check, 5000, 'the job runs to settle', 20);

beforeAll(async () => {
  pg = await ThrowawayDatabase.create({ maxConnections: 8 });
  db = pg.db;
  repo = new JobsRepository(db);
  dir = mkdtempSync(join(tmpdir(), 'jobs-config-'));
  config = new ConfigService(join(dir, 'config.json'), { MM_JOBSETTINGS_STALLEDJOBTIMEOUTSECONDS: String(LEASE_S) });
});

afterAll(async () => {
  await pg?.drop();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await db.query('DELETE FROM jobs');
  probe = new ProbeJob();
  handlers = new JobHandlers([probe]);
  events = new Recorder();
});

describe('JobRunner.deliver', () => {
  it('runs a pending job once: claim, progress and data, success, with job_updated at each status', async () => {
    const row = await repo.insert('probe', { given: 'yes' });
    expect(await runner('n1').deliver('probe', delivery(row.id), work())).toBeUndefined();
    const done = (await repo.get(row.id))!;
    expect(done).toMatchObject({ status: 'success', progress: 100, attempts: 1, node_id: 'n1', claim_id: null, data: { given: 'yes', step: 'half' } });
    expect(done.start_at).toBeGreaterThan(0);
    expect(probe.runs).toEqual([row.id]);
    expect(events.statuses(row.id)).toEqual(['in_progress', 'success']);
    // Delivered again after it finished: nothing happens.
    await runner('n2').deliver('probe', delivery(row.id), work());
    expect(probe.runs).toEqual([row.id]);
  });

  it('a second delivery while the first runs does not run it again; it comes back when the holder is done', async () => {
    probe.block();
    const row = await repo.insert('probe', {});
    const first = runner('n1').deliver('probe', delivery(row.id), work());
    await settle(() => probe.runs.length === 1);
    const second = await runner('n2').deliver('probe', delivery(row.id, { delivery: 2 }), work());
    expect(second).toEqual({ retryInMs: expect.any(Number) });
    probe.release();
    await first;
    expect(await runner('n2').deliver('probe', delivery(row.id, { delivery: 3 }), work())).toBeUndefined();
    expect(probe.runs).toEqual([row.id]);
  });

  it('many simultaneous deliveries on many nodes: one run', async () => {
    const row = await repo.insert('probe', {});
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => runner(n).deliver('probe', delivery(row.id), work())));
    expect(probe.runs).toEqual([row.id]);
    expect((await repo.get(row.id))!.attempts).toBe(1);
  });

  it('takes over a job whose holder fell silent for the lease, and the old holder cannot finish it', async () => {
    probe.block();
    const row = await repo.insert('probe', {});
    // Its lease is long, so its heartbeats (every 5 s) do not revive the job during the test.
    const dead = runner('dead', new ConfigService(join(dir, 'slow.json'), { MM_JOBSETTINGS_STALLEDJOBTIMEOUTSECONDS: '60' }));
    const firstWork = work();
    const first = dead.deliver('probe', delivery(row.id), firstWork);
    await settle(() => probe.runs.length === 1);
    // The holder's process "dies": its heartbeat stops (simulated by freezing last_activity_at in the past).
    const claim = (await repo.get(row.id))!.claim_id!;
    await db.query('UPDATE jobs SET last_activity_at = $2 WHERE id = $1', [row.id, Date.now() - 10_000]);
    const survivor = runner('survivor');
    const takeover = survivor.deliver('probe', delivery(row.id, { delivery: 2 }), work());
    await settle(() => probe.runs.length === 2);
    const held = (await repo.get(row.id))!;
    expect(held).toMatchObject({ status: 'in_progress', attempts: 2, node_id: 'survivor' });
    expect(held.claim_id).not.toBe(claim);
    probe.release();
    await Promise.all([first, takeover]);
    const done = (await repo.get(row.id))!;
    expect(done).toMatchObject({ status: 'success', node_id: 'survivor' });
    // The old holder's own run ended too, and could write nothing: its claim is gone.
    expect(events.statuses(row.id).filter((s) => s === 'success')).toHaveLength(1);
  });

  it('a scheduled slot delivered to several nodes makes one job and one run', async () => {
    const slot = 1_700_000_000_000;
    await Promise.all(['a', 'b', 'c'].map((n) => runner(n).deliver('probe', delivery(`probe@${slot}`, { slot }), work())));
    const rows = await db.query('SELECT * FROM jobs');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ type: 'probe', status: 'success', schedule_key: `probe:${slot}`, attempts: 1 });
    expect(probe.runs).toHaveLength(1);
    await runner('d').deliver('probe', delivery(`probe@${slot}`, { slot, delivery: 2 }), work());
    expect(probe.runs).toHaveLength(1);
  });

  it('ends canceled when cancel_requested is seen at a heartbeat, without the queue telling it', async () => {
    probe.block();
    const row = await repo.insert('probe', {});
    const run = runner('n1').deliver('probe', delivery(row.id), work());
    await settle(() => probe.runs.length === 1);
    await repo.casStatus(row.id, 'in_progress', 'cancel_requested');
    await run; // the heartbeat (every lease/3) sees it
    expect((await repo.get(row.id))!).toMatchObject({ status: 'canceled', progress: 40 });
    expect(events.statuses(row.id)).toEqual(['in_progress', 'canceled']);
  });

  it('ends canceled when the queue aborts with "cancel"', async () => {
    probe.block();
    const row = await repo.insert('probe', {});
    const w = work();
    const run = runner('n1').deliver('probe', delivery(row.id), w);
    await settle(() => probe.runs.length === 1);
    await repo.casStatus(row.id, 'in_progress', 'cancel_requested');
    w.abort('cancel');
    await run;
    expect((await repo.get(row.id))!.status).toBe('canceled');
  });

  it('records a failure as error with the message and progress -1', async () => {
    probe.fail = 'disk full';
    const row = await repo.insert('probe', {});
    await runner('n1').deliver('probe', delivery(row.id), work());
    expect((await repo.get(row.id))!).toMatchObject({ status: 'error', progress: -1, data: { error: 'disk full' } });
  });

  it('on shutdown gives the job back (pending, attempt not counted) and asks the queue to deliver it again', async () => {
    probe.block();
    const row = await repo.insert('probe', {});
    const w = work();
    const run = runner('n1').deliver('probe', delivery(row.id), w);
    await settle(() => probe.runs.length === 1);
    w.abort('shutdown');
    expect(await run).toEqual({ retryInMs: 0 });
    expect((await repo.get(row.id))!).toMatchObject({ status: 'pending', attempts: 0, claim_id: null });
    probe.release();
    await runner('n2').deliver('probe', delivery(row.id, { delivery: 2 }), work());
    expect((await repo.get(row.id))!).toMatchObject({ status: 'success', attempts: 1, node_id: 'n2' });
  });
});

describe('JobWatcher', () => {
  it('queues pending jobs and jobs whose holder went silent; ends the silent ones that were cancelled or used up their attempts', async () => {
    const driver = new InProcessDriver();
    const run = runner('w');
    driver.work('probe', (d, ctx) => run.deliver('probe', d, ctx), { concurrency: 2 });
    const scheduling = new JobScheduling(driver, handlers, config, new SingleNodeState());
    const watcher = new JobWatcher(repo, driver, handlers, new JobEvents(events), scheduling, config);
    try {
      const pending = await repo.insert('probe', {});
      const old = Date.now() - 60_000;
      const orphan = await repo.insert('probe', {});
      await db.query(`UPDATE jobs SET status = 'in_progress', attempts = 1, claim_id = 'x', last_activity_at = $2 WHERE id = $1`, [orphan.id, old]);
      const canceled = await repo.insert('probe', {});
      await db.query(`UPDATE jobs SET status = 'cancel_requested', attempts = 1, claim_id = 'x', last_activity_at = $2 WHERE id = $1`, [canceled.id, old]);
      const worn = await repo.insert('probe', {});
      await db.query(`UPDATE jobs SET status = 'in_progress', attempts = $3, claim_id = 'x', last_activity_at = $2 WHERE id = $1`, [
        worn.id,
        old,
        MAX_ATTEMPTS,
      ]);
      const unknown = await repo.insert('not_handled_here', {});

      await watcher.tick();
      await settle(async () => (await repo.get(pending.id))!.status === 'success' && (await repo.get(orphan.id))!.status === 'success');
      expect((await repo.get(orphan.id))!.attempts).toBe(2);
      expect((await repo.get(canceled.id))!.status).toBe('canceled');
      expect((await repo.get(worn.id))!).toMatchObject({ status: 'error', progress: -1, data: { error: expect.stringContaining('abandoned') } });
      expect((await repo.get(unknown.id))!.status).toBe('pending');
      expect(probe.runs.sort()).toEqual([pending.id, orphan.id].sort());
    } finally {
      await driver.close();
    }
  });
});
