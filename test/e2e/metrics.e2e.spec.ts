/**
 * The metrics server (MetricsSettings): off by default, on its own listener when enabled, in
 * Prometheus' text format as promtool (Debian's `prometheus` package) checks it, with the values
 * known actions leave: requests by handler, method and status, errors, posts, process metrics.
 */
import { spawnSync } from 'node:child_process';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, NewUser, startServer, TestServer } from '#testing';

let server: TestServer;
let admin: NewUser;
let metricsUrl: string;

/** The value of one sample line (`name{labels} value`), summed over the lines that match. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    if (!Object.entries(labels).every(([k, v]) => rest.includes(`${k}="${v}"`))) continue;
    total += Number(rest.slice(rest.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? total : NaN;
}

const scrape = async () => (await fetch(`${metricsUrl}/metrics`)).text();

async function setEnabled(Enable: boolean): Promise<void> {
  const config = await admin.client.getConfig();
  await admin.client.updateConfig({ ...config, MetricsSettings: { ...config.MetricsSettings, Enable } });
}

beforeAll(async () => {
  const port = await freePort('127.0.0.1');
  metricsUrl = `http://127.0.0.1:${port}`;
  // Enable is saved through the API (an MM_* variable would lock it), the address set by variable.
  server = await startServer({ MM_METRICSSETTINGS_LISTENADDRESS: `127.0.0.1:${port}` });
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
