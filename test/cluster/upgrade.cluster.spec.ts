/**
 * A rolling upgrade: release N (0.1.0, built from git history: PREVIOUS_RELEASE) and this build
 * (N+1) in one cluster behind nginx. Release 0.1.0 sends no protocol number and knows no drain
 * messages; this build must take its messages as they are. In the mixed cluster (one node on N+1,
 * two on N — and an N node restarted after N+1 migrated the database) users on either release see
 * each other's posts live over their sockets, a config saved on one release is served by the
 * other, jobs run on both, and cluster status lists every node with its release. Then the last N
 * nodes are upgraded and the same holds.
 */
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRelease, ClusterSocket, eventually, NewUser, PREVIOUS_RELEASE, ReleaseBuild, TestCluster, until } from '#testing';
import { createPost, openChannelWith, startFormedCluster, uniqueName } from './cluster-fixtures.js';

const CURRENT = '0.2.0';
let previous: ReleaseBuild;
let cluster: TestCluster;
let admin: NewUser;
let users: NewUser[];
let channel: Channel;
const sockets: ClusterSocket[] = [];

beforeAll(async () => {
  previous = await buildRelease(PREVIOUS_RELEASE);
  // Every node starts on release N.
  ({ cluster, admin } = await startFormedCluster({ entry: () => previous.entry, stopTimeoutMs: 20_000, startTimeoutMs: 180_000 }));
  users = [await cluster.newUser({ admin, via: 1 }), await cluster.newUser({ admin, via: 2 })];
  channel = await openChannelWith(admin, users);
}, 900_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await cluster?.stop();
  await previous?.remove();
}, 120_000);

const FINISHED = ['success', 'warning', 'error', 'canceled'];

/** Upgrades (or downgrades) node `index` to a build: drain, start on the other build, rejoin. */
async function runOn(index: number, entry: string | undefined): Promise<void> {
  const node = cluster.node(index);
  await node.stop();
  node.useBuild(entry);
  await node.start();
  await cluster.waitForMembership(admin, 30_000);
}

/** Each node's release as `target` lists them, by node index. */
async function releasesAsSeenFrom(target: number): Promise<Record<number, string | undefined>> {
  const infos = (await cluster.status(target, admin)) as Array<{ ipaddress: string; release?: string; protocol?: number }>;
  return Object.fromEntries(infos.map((i) => [Number(i.ipaddress.replace(/:\d+$/, '').split('.')[3]) - 1, i.release]));
}

/** Users with sockets on two nodes see each other's posts live. */
async function postsFlowBetween(a: number, b: number): Promise<void> {
  const [ua, ub] = users;
  const sa = await cluster.socket(cluster.clientAs(ua, a), a);
  const sb = await cluster.socket(cluster.clientAs(ub, b), b);
  sockets.push(sa, sb);
  const fromA = await createPost(cluster.clientAs(ua, a), channel.id, `from node ${a}`);
  const fromB = await createPost(cluster.clientAs(ub, b), channel.id, `from node ${b}`);
  await eventually(() => {
    expect(sb.postedIds(channel.id)).toContain(fromA.id);
    expect(sa.postedIds(channel.id)).toContain(fromB.id);
  }, 10_000);
  sa.close();
  sb.close();
}

/** A config saved through `from` is served by `to`. */
async function configFlows(from: number, to: number): Promise<void> {
  const siteName = uniqueName('site');
  await cluster.clientAs(admin, from).patchConfig({ TeamSettings: { SiteName: siteName } } as any);
  await eventually(async () => expect((await cluster.clientAs(admin, to).getConfig()).TeamSettings.SiteName).toBe(siteName), 40_000, 250);
}

/** A job created through a node runs to success. */
async function jobRuns(on: number): Promise<void> {
  const c = cluster.clientAs(admin, on);
  const job = await c.createJob({ type: 'export_process' } as any);
  const done = await until(
    async () => {
      const row = await c.getJob(job.id);
      return FINISHED.includes(row.status) ? row : undefined;
    },
    60_000,
    `job ${job.id} on node ${on} to finish`,
    250,
  );
  expect(done.status).toBe('success');
}

describe('rolling upgrade from the previous release', () => {
  it('runs N and N+1 side by side, then all on N+1', async () => {
    // One node upgraded: it runs this build's migrations; N keeps running on the newer schema.
    await runOn(0, undefined);
    expect(await releasesAsSeenFrom(0)).toEqual({ 0: CURRENT, 1: PREVIOUS_RELEASE.version, 2: PREVIOUS_RELEASE.version });
    // N lists the N+1 node too (it ignores the metadata it does not know).
    expect(Object.keys(await releasesAsSeenFrom(1)).sort()).toEqual(['0', '1', '2']);
    // An N node restarted mid-upgrade starts on the schema N+1 migrated.
    await runOn(2, previous.entry);

    await postsFlowBetween(0, 1);
    await postsFlowBetween(2, 0);
    await configFlows(0, 1);
    await configFlows(2, 0);
    await jobRuns(0);
    await jobRuns(1);

    // The last N nodes, one at a time.
    await runOn(1, undefined);
    await runOn(2, undefined);
    for (const n of [0, 1, 2]) expect(await releasesAsSeenFrom(n)).toEqual({ 0: CURRENT, 1: CURRENT, 2: CURRENT });
    await postsFlowBetween(1, 2);
    await postsFlowBetween(2, 0);
    await configFlows(1, 2);
    await jobRuns(2);
  }, 600_000);
});
