/**
 * Read replicas end to end: a server on a primary of its own with a real streaming replica
 * (startPostgresReplicaPair), SqlSettings.DataSourceReplicas and ReplicaLagSettings from the
 * environment. Reads are seen on the replica in its own statistics; a user reads their own post
 * back at once with replay paused while another reads the replica's stale copy; the replica is
 * taken out past its lag limit and put back after replay resumes; a stopped replica costs no
 * request; searches go to a search replica; the database metrics report it all.
 */
import { spawnSync } from 'node:child_process';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, metricSample, startPostgresReplicaPair, startServer, type NewUser, type PostgresReplicaPair, type TestServer } from '#testing';

let pair: PostgresReplicaPair;
let server: TestServer;
let metricsUrl: string;
let alice: NewUser;
let bob: NewUser;
let team: Team;
let channel: Channel;
let first: Post;

/** Scans of the posts table on the replica (its own statistics: only queries that ran there count). */
async function replicaPostScans(): Promise<number> {
  const [row] = await pair.replica.query<{ n: number }>(
    `SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0)::float8 AS n FROM pg_stat_user_tables WHERE relname = 'posts'`,
  );
  return row.n;
}

/** Lines of the server's log that match. */
const logLines = (s: TestServer, pattern: RegExp) => s.logs.split('\n').filter((l) => pattern.test(l)).length;

const postIds = async (user: NewUser) => (await user.client.getPosts(channel.id, 0, 60)).order;

/** The replica's settings for a server on the pair: replicas, a 2 MB lag limit, a monitor round each second. */
function replicaEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    MM_SQLSETTINGS_DATASOURCE: pair.primary.url(),
    MM_SQLSETTINGS_DATASOURCEREPLICAS: JSON.stringify([pair.replica.url()]),
    MM_SQLSETTINGS_REPLICALAGSETTINGS: JSON.stringify([
      { DataSource: pair.replica.url(), QueryAbsoluteLag: '', QueryTimeLag: '', MaxAbsoluteLagBytes: 2_000_000 },
    ]),
    MM_SQLSETTINGS_REPLICAMONITORINTERVALSECONDS: '1',
    // The monitor's changes are logged at INFO (back in service) and WARN (taken out).
    MM_LOGSETTINGS_CONSOLELEVEL: 'INFO',
    ...extra,
  };
}

beforeAll(async () => {
  pair = await startPostgresReplicaPair();
  const metricsPort = await freePort('127.0.0.1');
  metricsUrl = `http://127.0.0.1:${metricsPort}`;
  server = await startServer(
    replicaEnv({ MM_METRICSSETTINGS_ENABLE: 'true', MM_METRICSSETTINGS_LISTENADDRESS: `127.0.0.1:${metricsPort}` }),
    // The primary's own database, kept at stop (the pair goes with its folder). A loaded machine
    // can take more than the default 30 s to start a server.
    { database: pair.database, startTimeoutMs: 90_000 },
  );
  await server.newUser(); // the system admin
  alice = await server.newUser();
  bob = await server.newUser();
  team = await alice.client.createTeam({ name: 'replicas', display_name: 'Replicas', type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
  channel = await alice.client.createChannel({ team_id: team.id, name: 'stale-or-not', display_name: 'Stale or not', type: 'O' } as Channel);
  await alice.client.addToChannel(bob.user.id, channel.id);
  first = await alice.client.createPost({ channel_id: channel.id, message: 'before anything' } as Post);
  await pair.caughtUp();
  await eventually(() => expect(logLines(server, /replica-0 is in service/)).toBeGreaterThan(0), 15_000);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await pair?.stop();
}, 60_000);

describe('read replicas', () => {
  it("serves a channel's posts from the replica", async () => {
    const before = await replicaPostScans();
    // Statistics reach pg_stat_user_tables when the replica's backend flushes them (within seconds).
    await eventually(
      async () => {
        expect(await postIds(bob)).toContain(first.id);
        expect(await replicaPostScans()).toBeGreaterThan(before);
      },
      20_000,
      500,
    );
  });

  it("reads a user's own post back with replay paused, lets another read the stale replica, and takes the replica out past its lag limit", async () => {
    const inService = logLines(server, /replica-0 is in service/);
    await pair.pauseReplay();
    let post: Post;
    try {
      post = await alice.client.createPost({ channel_id: channel.id, message: 'written while replay is paused' } as Post);
      // Alice's next requests read the master: her post is there, every time.
      for (let i = 0; i < 3; i++) expect(await postIds(alice)).toContain(post.id);
      // Bob reads the replica, which has not replayed it: a stale read, allowed (the lag is under the limit).
      expect(await postIds(bob)).not.toContain(post.id);
      // Over 2 MB of WAL the replica has not replayed: the monitor takes it out…
      await pair.primary.query(`CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) g`);
      await eventually(() => expect(server.logs).toMatch(/replica-0 taken out of service: lagging \d+ bytes \(MaxAbsoluteLagBytes 2000000\)/), 15_000);
      // …and Bob reads the master.
      expect(await postIds(bob)).toContain(post.id);
      const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
      expect(metricSample(metrics, 'mattermost_db_replica_lag_abs', { node: 'replica-0' })).toBeGreaterThan(2_000_000);
    } finally {
      await pair.resumeReplay();
    }
    // Replay resumed: the replica catches up and is put back.
    await eventually(() => expect(logLines(server, /replica-0 is in service/)).toBeGreaterThan(inService), 20_000);
    expect(await postIds(bob)).toContain(post.id);
  }, 60_000);

  it('answers every request when the replica stops, and puts it back when it returns', async () => {
    const inService = logLines(server, /replica-0 is in service/);
    await pair.caughtUp();
    const all = await postIds(bob);
    await pair.replica.stop();
    try {
      for (let i = 0; i < 10; i++) expect(await postIds(bob)).toEqual(all);
      await eventually(() => expect(server.logs).toMatch(/replica-0 taken out of service: down/), 10_000);
      for (let i = 0; i < 5; i++) expect(await postIds(bob)).toEqual(all);
    } finally {
      await pair.replica.start();
    }
    await eventually(() => expect(logLines(server, /replica-0 is in service/)).toBeGreaterThan(inService), 20_000);
  }, 60_000);

  it('exports the database metrics, which promtool accepts', async () => {
    const text = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(metricSample(text, 'mattermost_db_master_connections_total')).toBeGreaterThan(0);
    expect(metricSample(text, 'mattermost_db_read_replica_connections_total')).toBeGreaterThanOrEqual(0);
    expect(metricSample(text, 'mattermost_db_search_replica_connections_total')).toBe(0);
    expect(metricSample(text, 'mattermost_db_replica_lag_time', { node: 'replica-0' })).toBeGreaterThanOrEqual(0);
    expect(metricSample(text, 'mattermost_db_store_time_count', { method: 'PostsRepository.page', success: 'true' })).toBeGreaterThan(0);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.stdout + promtool.stderr).toBe('');
    expect(promtool.status).toBe(0);
  });

  it('sends searches to a search replica', async () => {
    // A second server on the same primary whose only replica is a search replica: only searches read it.
    const searching = await startServer(
      replicaEnv({
        MM_SQLSETTINGS_DATASOURCEREPLICAS: '[]',
        MM_SQLSETTINGS_DATASOURCESEARCHREPLICAS: JSON.stringify([pair.replica.url()]),
      }),
      { database: pair.database, startTimeoutMs: 90_000 },
    );
    try {
      await eventually(() => expect(logLines(searching, /searchreplica-0 is in service/)).toBeGreaterThan(0), 15_000);
      const client = searching.client();
      await client.login(bob.user.username, bob.password);
      const before = await replicaPostScans();
      await eventually(
        async () => {
          const found = await client.searchPosts(team.id, 'paused', false);
          expect(found.order).toHaveLength(1);
          expect(await replicaPostScans()).toBeGreaterThan(before);
        },
        20_000,
        500,
      );
    } finally {
      await searching.stop({ keepDatabase: true });
    }
  }, 150_000);
});
