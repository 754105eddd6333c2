/**
 * Redis stopped for 30 s (killed, and back empty: it keeps nothing on disk) under two nodes.
 *
 * Documented behaviour (README, "Jobs"): the API keeps serving; POST /jobs still answers 201 and
 * the job waits as `pending` in PostgreSQL; a job already running goes on (its state is in
 * PostgreSQL) and finishes once. When Redis is back, the workers reconnect, the schedules are put
 * back, and the job watcher queues every pending job again at once; each runs exactly once.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '#testing';
import { JobCluster, PrivateRedis } from './jobs-harness.js';

const OUTAGE_MS = 30_000;
let redis: PrivateRedis;
let cluster: JobCluster;
let channelId: string;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  cluster = await JobCluster.start({
    nodes: 2,
    redisAddress: redis.address,
    common: {
      MM_DATARETENTIONSETTINGS_ENABLEMESSAGEDELETION: 'true',
      MM_DATARETENTIONSETTINGS_MESSAGERETENTIONDAYS: '30',
      MM_DATARETENTIONSETTINGS_BATCHSIZE: '20',
    },
  });
  channelId = await cluster.channelWithPosts('outage', 40_000, 1600000000000, 'old');
});
afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
});

describe('Redis stopped for 30 s', () => {
  it('the API keeps serving, jobs wait in PostgreSQL, and after Redis returns every job runs exactly once', async () => {
    const admin = cluster.admin.client;
    const before = await admin.createJob({ type: 'cleanup_expired_sessions' } as any);
    expect((await cluster.waitFinished(before.id, 20_000)).status).toBe('success');

    // A long job is running when Redis goes.
    const long = await admin.createJob({ type: 'data_retention' } as any);
    await cluster.waitRunning(long.id, 0, 20_000);

    await redis.stop();
    const downAt = Date.now();

    // The API keeps serving, on both nodes.
    for (const node of cluster.nodes) expect((await fetch(`${node.url}/api/v4/system/ping`)).status).toBe(200);
    const during = await admin.createJob({ type: 'export_process' } as any);
    expect(during.status).toBe('pending');
    const other = await cluster.adminOn(cluster.nodes[1]);
    const duringOther = await other.createJob({ type: 'cleanup_expired_access_tokens' } as any);
    expect((await admin.getJobs(0, 50)).map((j) => j.id)).toEqual(expect.arrayContaining([during.id, duringOther.id, long.id]));
    const team = (await admin.getMyTeams())[0];
    expect(team.name).toBe('outage-team');

    // The running job goes on without Redis and finishes once.
    const longDone = await cluster.waitFinished(long.id, OUTAGE_MS - 5000);
    expect(longDone).toMatchObject({ status: 'success', attempts: 1 });
    const [{ n: left }] = await cluster.sql<{ n: number }>('SELECT count(*)::int AS n FROM posts WHERE channel_id = $1', [channelId]);
    expect(left).toBe(0);

    // Jobs created meanwhile wait, pending, for the queue.
    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));
    expect((await cluster.job(during.id)).status).toBe('pending');
    expect((await cluster.job(duringOther.id)).status).toBe('pending');

    await redis.start();
    const upAt = Date.now();
    const duringDone = await cluster.waitFinished(during.id, 30_000);
    const otherDone = await cluster.waitFinished(duringOther.id, 30_000);
    expect(duringDone).toMatchObject({ status: 'success', attempts: 1 });
    expect(otherDone).toMatchObject({ status: 'success', attempts: 1 });
    // Queued again as soon as the nodes reconnected, not only at the next 15 s pass.
    expect(Date.now() - upAt).toBeLessThan(15_000);

    // Workers are back: a new job runs; and nothing ran twice.
    const after = await admin.createJob({ type: 'cleanup_expired_sessions' } as any);
    expect((await cluster.waitFinished(after.id, 20_000)).status).toBe('success');
    await sleep(3000);
    for (const id of [before.id, long.id, during.id, duringOther.id, after.id]) expect((await cluster.job(id)).attempts, id).toBe(1);
    expect((await cluster.job(long.id)).status).toBe('success');

    // The schedules are back in the empty Redis.
    const client = new Redis({ host: '127.0.0.1', port: redis.port });
    try {
      const keys = await client.keys(`${cluster.prefix}mmjobs:*:repeat`);
      expect(keys.sort()).toEqual(
        ['cleanup_expired_access_tokens', 'cleanup_expired_sessions', 'data_retention', 'expiry_notify', 'scheduled_posts'].map(
          (q) => `${cluster.prefix}mmjobs:${q}:repeat`,
        ),
      );
    } finally {
      client.disconnect();
    }
  });
});
