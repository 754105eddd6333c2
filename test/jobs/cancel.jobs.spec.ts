/**
 * Cancel requested, through one node's API, for a job running on another node: the job stops
 * and ends `canceled` (the request reaches the running node through the queue's cancel signal,
 * and its heartbeat would see cancel_requested in the job table anyway).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCluster } from './jobs-harness.js';

const OLD_POSTS = 30_000;
let cluster: JobCluster;
let channelId: string;

beforeAll(async () => {
  cluster = await JobCluster.start({
    nodes: 2,
    common: {
      MM_DATARETENTIONSETTINGS_ENABLEMESSAGEDELETION: 'true',
      MM_DATARETENTIONSETTINGS_MESSAGERETENTIONDAYS: '30',
      MM_DATARETENTIONSETTINGS_BATCHSIZE: '10',
    },
  });
  channelId = await cluster.channelWithPosts('cancel', OLD_POSTS, 1600000000000, 'old');
});
afterAll(() => cluster?.stop());

const remaining = async () => (await cluster.sql<{ n: number }>('SELECT count(*)::int AS n FROM posts WHERE channel_id = $1', [channelId]))[0].n;

describe('cancel while running', () => {
  it('the job stops on the node that runs it and ends canceled', async () => {
    const job = await cluster.admin.client.createJob({ type: 'data_retention' } as any);
    const running = await cluster.waitRunning(job.id, 1, 30_000);
    const holder = cluster.holder(running.node_id)!;
    const other = cluster.nodes.find((n) => n !== holder)!;
    const viaOther = await cluster.adminOn(other);
    const requestedAt = Date.now();
    expect(await viaOther.cancelJob(job.id)).toEqual({ status: 'OK' });

    const done = await cluster.waitFinished(job.id, 30_000);
    expect(done.status).toBe('canceled');
    expect(Date.now() - requestedAt).toBeLessThan(5000);
    expect(done.attempts).toBe(1);
    expect(cluster.holder(done.node_id)).toBe(holder);
    const left = await remaining();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(OLD_POSTS);
    // Stopped means stopped: nothing more is deleted afterwards.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await remaining()).toBe(left);
    expect(Number(done.data.deleted_posts)).toBe(OLD_POSTS - left);
  });
});
