/**
 * The metrics server (MetricsSettings): off by default, on its own listener when enabled, in
 * Prometheus' text format as promtool (Debian's `prometheus` package) checks it, with the values
 * known actions leave: requests by handler, method and status, errors, posts, process metrics,
 * WebSocket connections, events and replays, logins, jobs. (The cluster families: test/cluster/metrics.)
 */
import { spawnSync } from 'node:child_process';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { eventually, freePort, metricSample, NewUser, sleep, startServer, TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let metricsUrl: string;

const sample = metricSample;

const scrape = async () => (await fetch(`${metricsUrl}/metrics`)).text();

async function setEnabled(Enable: boolean): Promise<void> {
  const config = await admin.client.getConfig();
  await admin.client.updateConfig({ ...config, MetricsSettings: { ...config.MetricsSettings, Enable } });
}

beforeAll(async () => {
  const port = await freePort('127.0.0.1');
  metricsUrl = `http://127.0.0.1:${port}`;
  // Enable is saved through the API (an MM_* variable would lock it), the address set by variable.
  server = await startServer({ MM_METRICSSETTINGS_LISTENADDRESS: `127.0.0.1:${port}`, MM_METRICSSETTINGS_ENABLESTATEMENTCOUNTS: 'true' });
  admin = await server.newUser();
  expect(server.logs).not.toContain('metrics on');
  await setEnabled(true);
  await eventually(async () => expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200), 5_000);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('the metrics server', () => {
  it('serves text that promtool accepts, with process and Node runtime metrics', async () => {
    const text = await scrape();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
    expect(sample(text, 'mattermost_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('mattermost_nodejs_eventloop_lag_seconds');
  });

  it('counts requests by handler, method and status, errors, and posts', async () => {
    const team = await admin.client.createTeam({ name: `metrics${Date.now()}`, display_name: 'Metrics', type: 'O' } as Team);
    const channel = await admin.client.getChannelByName(team.id, 'town-square');
    const before = await scrape();
    const posts = sample(before, 'mattermost_post_total');
    const creates = sample(before, 'mattermost_api_time_count', { handler: 'posts.create', method: 'POST', status_code: '201' }) || 0;
    const errors = sample(before, 'mattermost_http_errors_total');
    for (let i = 0; i < 3; i++) await admin.client.createPost({ channel_id: channel.id, message: `counted ${i}` } as Post);
    const missing = await fetch(`${server.url}/api/v4/channels/${'x'.repeat(26)}`, { headers: { Authorization: `Bearer ${admin.client.getToken()}` } });
    expect(missing.status).toBeGreaterThanOrEqual(400);
    await eventually(async () => {
      const after = await scrape();
      expect(sample(after, 'mattermost_post_total')).toBe(posts + 3);
      expect(sample(after, 'mattermost_api_time_count', { handler: 'posts.create', method: 'POST', status_code: '201' })).toBe(creates + 3);
      expect(sample(after, 'mattermost_http_errors_total')).toBeGreaterThanOrEqual(errors + 1);
      expect(sample(after, 'mattermost_http_requests_total')).toBeGreaterThan(sample(before, 'mattermost_http_requests_total') + 3);
    }, 5_000);
    expect(sample(await scrape(), 'mattermost_post_pushes_sent_total')).toBe(0);
  });

  it('counts the database statements of each handler and the time they took', async () => {
    const team = await admin.client.createTeam({ name: `metricsdb${Date.now()}`, display_name: 'Metrics DB', type: 'O' } as Team);
    const channel = await admin.client.getChannelByName(team.id, 'town-square');
    const create = { handler: 'posts.create' };
    const before = await scrape();
    const queries = sample(before, 'mattermost_api_db_queries_total', create) || 0;
    const seconds = sample(before, 'mattermost_api_db_seconds_total', create) || 0;
    for (let i = 0; i < 4; i++) await admin.client.createPost({ channel_id: channel.id, message: `statements ${i}` } as Post);
    await eventually(async () => {
      const after = await scrape();
      // A post is one transaction (BEGIN, its inserts and updates, COMMIT) and the reads around it.
      const perPost = (sample(after, 'mattermost_api_db_queries_total', create) - queries) / 4;
      expect(perPost).toBeGreaterThanOrEqual(5);
      expect(perPost).toBeLessThan(100);
      expect(sample(after, 'mattermost_api_db_seconds_total', create)).toBeGreaterThan(seconds);
    }, 5_000);
  });

  it('counts memory cache hits, misses and invalidations by cache, and a cached user costs no statement', async () => {
    const other = await server.newUser();
    const cache = { name: 'UserProfileByIds' };
    const image = { handler: 'users.image' };
    const before = await scrape();
    // The first read loads the user (a miss), the next ones are served from memory.
    for (let i = 0; i < 3; i++) expect((await admin.client.getUser(other.user.id)).id).toBe(other.user.id);
    const statements = (text: string) => sample(text, 'mattermost_api_db_queries_total', image) || 0;
    const imageStatements = statements(await scrape());
    for (let i = 0; i < 3; i++)
      expect(
        (await fetch(admin.client.getProfilePictureUrl(other.user.id, 0), { headers: { Authorization: `Bearer ${admin.client.getToken()}` } })).status,
      ).toBe(200);
    await other.client.patchMe({ nickname: 'changed' });
    expect((await admin.client.getUser(other.user.id)).nickname).toBe('changed');
    await eventually(async () => {
      const after = await scrape();
      expect(sample(after, 'mattermost_cache_mem_hit_total', cache) - (sample(before, 'mattermost_cache_mem_hit_total', cache) || 0)).toBeGreaterThanOrEqual(5);
      expect(sample(after, 'mattermost_cache_mem_miss_total', cache) - (sample(before, 'mattermost_cache_mem_miss_total', cache) || 0)).toBeGreaterThanOrEqual(
        2,
      );
      expect(sample(after, 'mattermost_cache_mem_invalidation_total', cache)).toBeGreaterThan(
        sample(before, 'mattermost_cache_mem_invalidation_total', cache) || 0,
      );
      expect(sample(after, 'mattermost_cache_mem_entries', cache)).toBeGreaterThan(0);
      // The picture of a cached user is answered without the database.
      expect(statements(after)).toBe(imageStatements);
    }, 5_000);
    expect(sample(await scrape(), 'mattermost_cache_mem_hit_total', { name: 'Status' })).not.toBeNaN();
  });

  it("keeps a channel's members' permission roles cached across posts in it, and reloads only its row", async () => {
    const team = await admin.client.createTeam({ name: `rolescache${Date.now()}`, display_name: 'Roles cache', type: 'O' } as Team);
    const channel = await admin.client.getChannelByName(team.id, 'town-square');
    // A member without a system role: their permission checks read their roles in the channel.
    const member = await server.newUser();
    await admin.client.addToTeam(team.id, member.user.id);
    await admin.client.addToChannel(member.user.id, channel.id);
    const misses = async (name: string) => sample(await scrape(), 'mattermost_cache_mem_miss_total', { name }) || 0;
    await member.client.createPost({ channel_id: channel.id, message: 'warms the caches' } as Post);
    const counted = (await member.client.getChannel(channel.id)).total_msg_count;
    const roleMisses = await misses('ChannelMemberRoles');
    const rowMisses = await misses('ChannelById');
    for (let i = 1; i <= 3; i++) {
      await member.client.createPost({ channel_id: channel.id, message: `post ${i}` } as Post);
      // The row is served fresh after each post (its counts moved) ...
      expect((await member.client.getChannel(channel.id)).total_msg_count).toBe(counted + i);
    }
    // ... while the poster's permission roles in the channel, checked by every one of these
    // requests, stayed cached: a post changes no one's roles.
    expect(await misses('ChannelMemberRoles')).toBe(roleMisses);
    expect(await misses('ChannelById')).toBeGreaterThan(rowMisses);
  });

  it('counts open WebSockets, events published and broadcast, and frames held for replay', async () => {
    const team = await admin.client.createTeam({ name: `ws${Date.now()}`, display_name: 'Sockets', type: 'O' } as Team);
    const channel = await admin.client.getChannelByName(team.id, 'town-square');
    const before = await scrape();
    expect(sample(before, 'mattermost_http_websockets_total') || 0).toBe(0);
    const posted = (text: string, name: string, label: string) => sample(text, name, { [label]: 'posted' }) || 0;
    const socket = await server.socket(admin.client);
    try {
      await eventually(async () => expect(sample(await scrape(), 'mattermost_http_websockets_total')).toBe(1), 5_000);
      await admin.client.createPost({ channel_id: channel.id, message: 'to the socket' } as Post);
      await socket.waitFor('posted');
      const after = await scrape();
      expect(posted(after, 'mattermost_websocket_event_total', 'type')).toBe(posted(before, 'mattermost_websocket_event_total', 'type') + 1);
      expect(posted(after, 'mattermost_websocket_broadcasts_total', 'name')).toBe(posted(before, 'mattermost_websocket_broadcasts_total', 'name') + 1);
      expect(sample(after, 'mattermost_websocket_replay_buffer_frames')).toBeGreaterThanOrEqual(2); // hello, posted
      expect(sample(after, 'mattermost_websocket_event_log_entries')).toBeGreaterThan(0);
    } finally {
      socket.close();
    }
    await eventually(async () => expect(sample(await scrape(), 'mattermost_http_websockets_total')).toBe(0), 5_000);
  });

  it('counts reconnects whose missed events were replayed and those that had to start afresh', async () => {
    const headers = { Authorization: `Bearer ${admin.client.getToken()}` };
    const open = (query = '') =>
      new Promise<{ ws: WebSocket; first: Record<string, any> }>((resolve, reject) => {
        const ws = new WebSocket(`${server.wsUrl}${query}`, { headers });
        ws.once('message', (raw) => resolve({ ws, first: JSON.parse(raw.toString()) }));
        ws.once('error', reject);
      });
    const replays = async (result: string) => sample(await scrape(), 'mattermost_websocket_replays_total', { result });
    const [served, missed] = [await replays('served'), await replays('missed')];
    const { ws, first } = await open();
    const connectionId = first.data.connection_id as string;
    ws.close();
    await sleep(100);
    // Resumed from its first frame: the hello (seq 0) is replayed, not a new one sent.
    const resumed = await open(`?connection_id=${connectionId}&sequence_number=0`);
    expect(resumed.first).toMatchObject({ event: 'hello', seq: 0, data: { connection_id: connectionId } });
    resumed.ws.close();
    const fresh = await open(`?connection_id=${'z'.repeat(26)}&sequence_number=5`);
    expect(fresh.first.event).toBe('hello');
    fresh.ws.close();
    await eventually(async () => {
      expect(await replays('served')).toBe(served + 1);
      expect(await replays('missed')).toBe(missed + 1);
    }, 5_000);
  });

  it('counts logins and failed logins', async () => {
    const before = await scrape();
    const login = (password: string) =>
      fetch(`${server.url}/api/v4/users/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ login_id: admin.user.username, password }),
      });
    expect((await login('not the password')).status).toBe(401);
    expect((await login(admin.password)).status).toBe(200);
    const after = await scrape();
    expect(sample(after, 'mattermost_login_logins_fail_total')).toBe(sample(before, 'mattermost_login_logins_fail_total') + 1);
    expect(sample(after, 'mattermost_login_logins_total')).toBe(sample(before, 'mattermost_login_logins_total') + 1);
  });

  it('counts a job among the active ones only while it runs: back to 0 once it finished', async () => {
    const job = await admin.client.createJob({ type: 'cleanup_expired_sessions' } as any);
    await eventually(async () => expect((await admin.client.getJob(job.id)).status).toBe('success'), 20_000);
    const text = await scrape();
    // The family has the type once a job of it ran here: back to 0.
    expect(sample(text, 'mattermost_jobs_active', { type: 'cleanup_expired_sessions' })).toBe(0);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
  });

  it('is off by default, stops when turned off and listens again when turned on, without a restart', async () => {
    await setEnabled(false);
    await eventually(
      async () =>
        expect(
          await fetch(`${metricsUrl}/metrics`).then(
            () => 'up',
            () => 'down',
          ),
        ).toBe('down'),
      5_000,
    );
    await setEnabled(true);
    await eventually(async () => expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200), 5_000);
  });
});
