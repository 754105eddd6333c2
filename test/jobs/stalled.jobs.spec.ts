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
import { JobCluster, until } from './jobs-harness.js';

const POSTS = 200_000;
let cluster: JobCluster;
let channelId: string;

beforeAll(async () => {
  cluster = await JobCluster.start({ nodes: 2 });
  const admin = cluster.admin.client;
  const team = await admin.createTeam({ name: 'stall-team', display_name: 'Stall', type: 'O' } as any);
  channelId = (await admin.createChannel({ team_id: team.id, name: 'stall-channel', display_name: 'Stall', type: 'O' } as any)).id;
  // Enough posts that the export runs for seconds.
  await cluster.sql(
    `INSERT INTO posts (id, create_at, update_at, user_id, channel_id, message)
     SELECT lpad(to_hex(i), 26, '0'), 1700000000000 + i, 1700000000000 + i, $1, $2, 'post number ' || i FROM generate_series(1, $3::int) i`,
    [cluster.admin.user.id, channelId, POSTS],
  );
  // What autovacuum would do after a bulk load: without statistics the planner joins every post.
  await cluster.sql('ANALYZE');
});
afterAll(() => cluster?.stop());

describe('a node killed mid-job', () => {
  it('the other node takes the job over and completes it once, with no duplicated data', async () => {
    const job = await cluster.admin.client.createJob({ type: 'export_process' } as any);
    const running = await until(
      async () => {
        const row = await cluster.job(job.id);
        return row.status === 'in_progress' && row.progress >= 5 ? row : undefined;
      },
      60_000,
      'the export to be running',
      25,
    );
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
