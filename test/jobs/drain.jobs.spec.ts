/**
 * A node drained (SIGTERM) in the middle of a job: the drain tells the running job "shutdown", its
 * row goes back to pending at once (not after a stalled lease), the BullMQ worker closes, the
 * process exits 0, and the other node runs the job to the end, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCluster } from './jobs-harness.js';

const POSTS = 200_000;
const GRACE_SECONDS = 10;
let cluster: JobCluster;

beforeAll(async () => {
  cluster = await JobCluster.start({
    nodes: 2,
    // A long lease: a take-over can then only come from the drain's hand-back, not from a stall.
    common: { MM_SERVICESETTINGS_GRACEFULSHUTDOWNTIMEOUTSECONDS: String(GRACE_SECONDS), MM_JOBSETTINGS_STALLEDJOBTIMEOUTSECONDS: '60' },
  });
  await cluster.channelWithPosts('drain', POSTS, 1700000000000, 'post number');
});
afterAll(() => cluster?.stop());

describe('a node drained mid-job', () => {
  it('gives the job back at once and exits 0; the other node completes it', async () => {
    const job = await cluster.admin.client.createJob({ type: 'export_process' } as any);
    const running = await cluster.waitRunning(job.id, 5, 60_000);
    expect(running.progress).toBeLessThan(90);
    const victim = cluster.holder(running.node_id)!;
    expect(victim).toBeDefined();
    const survivor = cluster.nodes.find((n) => n !== victim)!;

    const stoppedAt = Date.now();
    await victim.stop();
    const took = Date.now() - stoppedAt;
    expect(victim.lastExit, victim.logs.slice(-3000)).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(GRACE_SECONDS * 1000);
    // Given back before the exit: pending, or already taken by the other node — not left
    // in progress under the drained node's name until its 60 s lease runs out.
    const after = await cluster.job(job.id);
    expect(after.status === 'pending' || (after.status === 'in_progress' && cluster.holder(after.node_id) === survivor), JSON.stringify(after)).toBe(true);

    const done = await cluster.waitFinished(job.id, 90_000);
    expect(done.status).toBe('success');
    expect(cluster.holder(done.node_id)).toBe(survivor);
    // The hand-back does not count as a failed attempt.
    expect(done.attempts).toBe(1);
    expect(done.data.posts_exported).toBe(String(POSTS));
  });
});
