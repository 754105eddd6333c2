/**
 * A node killed with SIGKILL in the middle of a job: BullMQ's stalled check on the other node
 * hands the job over once the dead node's lock runs out (StalledJobTimeoutSeconds = 3 here), the
 * new node claims it because the old holder's heartbeat stopped, and the job completes once. The
 * export archive it writes holds every post exactly once: the killed run's half-written file
 * never became the archive.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportLines } from './zip-reader.js';
import { JobCluster } from './jobs-harness.js';

const POSTS = 200_000;
let cluster: JobCluster;

beforeAll(async () => {
  cluster = await JobCluster.start({ nodes: 2 });
  // Enough posts that the export runs for seconds.
  await cluster.channelWithPosts('stall', POSTS, 1700000000000, 'post number');
});
afterAll(() => cluster?.stop());

describe('a node killed mid-job', () => {
  it('the other node takes the job over and completes it once, with no duplicated data', async () => {
    const job = await cluster.admin.client.createJob({ type: 'export_process' } as any);
    const running = await cluster.waitRunning(job.id, 5, 60_000);
    expect(running.progress).toBeLessThan(90); // still well inside the job
    const victim = cluster.holder(running.node_id)!;
    expect(victim).toBeDefined();
    const survivor = cluster.nodes.find((n) => n !== victim)!;
    const killedAt = Date.now();
    await victim.kill();

    const done = await cluster.waitFinished(job.id, 90_000);
    expect(done.status).toBe('success');
    expect(done.attempts).toBe(2);
    expect(cluster.holder(done.node_id)).toBe(survivor);
    // Taken over after the lock ran out (3 s) and a stalled check (every 3 s), not at once.
    expect(Date.now() - killedAt).toBeGreaterThan(2000);

    const file = join(cluster.files, done.data.export_file);
    const lines = exportLines(readFileSync(file));
    const posts = lines.filter((l) => l.type === 'post').map((l) => l.post.message as string);
    expect(posts).toHaveLength(POSTS);
    expect(new Set(posts).size).toBe(POSTS);
    expect(done.data.posts_exported).toBe(String(POSTS));
    // One archive for the job; the killed run left at most its own unfinished temporary file.
    const exportDir = join(cluster.files, 'export');
    const entries = readdirSync(exportDir);
    expect(entries.filter((e) => e.endsWith('.zip'))).toEqual([`${job.id}_export.zip`]);
    expect(entries.filter((e) => !e.endsWith('.zip')).every((e) => /^\..*\.partial$/.test(e))).toBe(true);
    expect(existsSync(file)).toBe(true);
  });
});
