/**
 * The load test (apps/loadtest) against a real node: seeds a small data set, runs a few simulated
 * users for a few seconds in bounded mode and a short unbounded run, through the compiled command
 * line (dist-loadtest, built by `npm run build`), and checks that actions happened, WebSocket
 * events arrived and the report and chart were written.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl, startServer, type TestServer } from '#testing';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist-loadtest/apps/loadtest/src/cli.js');

/** A small data set where every user is in every channel, so that every post reaches the others. */
const DATA_SET = [
  '--teams',
  '1',
  '--channels',
  '3',
  '--dms',
  '4',
  '--gms',
  '1',
  '--posts',
  '300',
  '--set',
  'seed.users=8',
  '--set',
  'seed.publicChannels=3',
  '--set',
  'seed.privateChannels=0',
  '--set',
  'seed.publicChannelMembersPercent=[100,100]',
  '--set',
  'seed.teamsPerUser=1',
];
/** Think time ~1 s instead of ~108 s, no idle before login, and many posts, so that a few seconds show everything. */
const FAST_USERS = [
  '--set',
  'userController.rate=0.05',
  '--set',
  'userController.idleBeforeLogin=false',
  '--set',
  'userController.actions.CreatePost=12',
  '--set',
  'userController.scrollPauseMs=[50,100]',
  '--set',
  'userController.typingKeystrokeMs=[10,20]',
  '--workers',
  '1',
];

let server: TestServer;
let out: string;

async function cli(args: string[]) {
  const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: ROOT, timeout: 120_000, maxBuffer: 20 * 2 ** 20 });
  return stdout + stderr;
}

function readReport(dir: string) {
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
}

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: run npm run build (it compiles the load test too)`);
  server = await startServer();
  out = mkdtempSync(join(tmpdir(), 'mm-loadtest-e2e-'));
  const target = ['--url', server.url, '--db', databaseUrl(server.database), '--server-pid', String(server.pid)];
  await cli(['seed', ...target, ...DATA_SET]);
});

afterAll(async () => {
  await server?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('load test against one node', () => {
  it('bounded: simulated users act, receive events, and the report and chart are written', async () => {
    const dir = join(out, 'bounded');
    const output = await cli([
      'run',
      '--mode',
      'bounded',
      '--url',
      server.url,
      '--server-pid',
      String(server.pid),
      '--users',
      '4',
      '--duration',
      '8',
      '--out',
      dir,
      ...FAST_USERS,
      '--set',
      'coordinator.updateIntervalMs=1000',
    ]);
    expect(output).toMatch(/users 4 \(ready \d\)/); // the live progress line
    const report = readReport(dir);
    const r = report.result;
    expect(report.mode).toBe('bounded');
    expect(r.users.max).toBe(4);
    // Logged in, joined the team, and took actions with requests.
    expect(r.actions.Login?.count ?? report.timeline.length).toBeGreaterThan(0);
    const actions = Object.entries(r.actions as Record<string, { count: number }>).filter(
      ([n]) => !['Login', 'InitialJoinTeam', 'HandleTypingEvent', 'GetUsersStatusesByIds'].includes(n),
    );
    expect(actions.reduce((s, [, a]) => s + a.count, 0)).toBeGreaterThan(4);
    expect(r.actions.CreatePost.count).toBeGreaterThan(0);
    expect(r.requests).toBeGreaterThan(20);
    expect(r.endpoints['POST /posts'].count).toBeGreaterThan(0);
    expect(r.errors.http5xx).toBe(0);
    expect(r.errors.timeouts).toBe(0);
    // Events arrived, including the posts, with their delivery latency.
    expect(report.whole.websocket.connects).toBeGreaterThanOrEqual(4); // one socket per user (before the hold)
    expect(r.websocket.byType.posted).toBeGreaterThan(0);
    expect(r.websocket.delivery.count).toBeGreaterThan(0);
    expect(r.websocket.delivery.p99Ms).toBeGreaterThanOrEqual(0);
    // Server resources were read from /proc.
    expect(report.resources.server.rssMiBMax).toBeGreaterThan(10);
    expect(report.generator.ticks).toBeGreaterThan(0);
    // The chart is an SVG with both panels.
    const svg = readFileSync(join(dir, 'chart.svg'), 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('Simulated users');
    expect(svg).toContain('p99 threshold 2000 ms');
  }, 120_000);

  it('unbounded: the coordinator adds users while healthy and reports supported users', async () => {
    const dir = join(out, 'unbounded');
    await cli([
      'run',
      '--mode',
      'unbounded',
      '--url',
      server.url,
      '--server-pid',
      String(server.pid),
      '--out',
      dir,
      ...FAST_USERS,
      '--max-users',
      '6',
      '--max-duration',
      '10',
      '--stable-window',
      '4',
      '--set',
      'coordinator.updateIntervalMs=1000',
      '--set',
      'coordinator.numUsersInc=2',
      '--set',
      'coordinator.healthWarmupSec=0',
      // The add/remove rule itself is unit-tested; here slow logins on a busy machine must not trip it.
      '--set',
      'coordinator.thresholds.avgRequestMs=60000',
      '--set',
      'coordinator.thresholds.p99RequestMs=60000',
    ]);
    const report = readReport(dir);
    expect(report.mode).toBe('unbounded');
    const users = report.timeline.map((p: { users: number }) => p.users);
    // +2 per tick up to the maximum of 6.
    expect(users.slice(0, 3)).toEqual([2, 4, 6]);
    expect(Math.max(...users)).toBe(6);
    expect(report.result.supportedUsers).toBe(6);
    expect(report.result.converged).toBe(false); // no alert in 10 s: the time limit ended it
    expect(report.stopReason).toMatch(/maxDurationSec/);
    expect(readdirSync(dir).sort()).toEqual(['chart.svg', 'report.json']);
  }, 120_000);
});
