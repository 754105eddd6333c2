/**
 * kill -9 of a node under load, through nginx: 20 clients post and listen while one of the three
 * nodes dies. Nothing committed is lost, every client ends up with every post (over its socket,
 * or refetched after a fresh `hello` as a real client does), nothing is delivered twice, and the
 * only 5xx nginx ever answers are inside the kill window.
 */
import type { Channel } from '@mattermost/types/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, HTTP_PORT, NewUser, sleep, TestCluster } from '#testing';
import { channelPostIds, ChannelView, duplicates, openChannelWith, startFormedCluster } from './cluster-fixtures.js';

const CLIENTS = 20;
const VICTIM = 1;
/** Posting runs this long; the node dies KILL_AFTER_MS into it. */
const POSTING_MS = 9000;
const KILL_AFTER_MS = 3000;
/** Each client waits this long between two of its posts. */
const PAUSE_MS = 150;
/**
 * 5xx may only end inside [kill, kill + KILL_WINDOW_MS]: requests in flight on the dying node
 * (non-idempotent ones cannot be retried) and the membership's eviction time (3 s).
 */
const KILL_WINDOW_MS = 3000;

let cluster: TestCluster;
let admin: NewUser;
let users: NewUser[];
let channel: Channel;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster());
  users = [];
  for (let i = 0; i < CLIENTS; i++) users.push(await cluster.newUser({ admin }));
  channel = await openChannelWith(admin, users);
});

afterAll(() => cluster?.stop());

interface Attempt {
  message: string;
  startedAt: number;
  endedAt: number;
  /** 201 with the post's id, or the HTTP status / network failure of a failed attempt. */
  status: number | 'network';
  id?: string;
}

describe('kill -9 of a node under load, through nginx', () => {
  it('loses no committed post, gets every post to every client once, and answers 5xx only inside the kill window', async () => {
    const nginx = cluster.nginx!;
    const views: ChannelView[] = [];
    for (const u of users) views.push(new ChannelView(await cluster.socket(u.client, 'nginx', { minRetryMs: 300 }), u.client, channel.id));

    const attempts: Attempt[][] = users.map(() => []);
    const started = Date.now();
    let killedAt = 0;
    const posting = users.map(async (u, k) => {
      for (let n = 0; Date.now() - started < POSTING_MS; n++) {
        const message = `client ${k} post ${n}`;
        const attempt: Attempt = { message, startedAt: Date.now(), endedAt: 0, status: 'network' };
        try {
          const post = await u.client.createPost({ channel_id: channel.id, message, pending_post_id: `${u.user.id}:${attempt.startedAt}` } as any);
          attempt.status = 201;
          attempt.id = post.id;
        } catch (err: any) {
          attempt.status = typeof err?.status_code === 'number' ? err.status_code : 'network';
        }
        attempt.endedAt = Date.now();
        attempts[k].push(attempt);
        await sleep(PAUSE_MS);
      }
    });
    await sleep(KILL_AFTER_MS);
    killedAt = Date.now();
    await cluster.node(VICTIM).kill('SIGKILL');
    await Promise.all(posting);
    const all = attempts.flat();

    // Ground truth: the database.
    const rows = await cluster.query<{ id: string; message: string }>('SELECT id, message FROM posts WHERE channel_id = $1 AND delete_at = 0', [channel.id]);
    const committed = new Set(rows.map((r) => r.id));

    // 1. Every post that was answered 201 is committed, and the API lists it.
    const created = all.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThan(CLIENTS);
    expect(created.filter((a) => !committed.has(a.id!)).map((a) => a.message)).toEqual([]);
    const listed = new Set(await channelPostIds(admin.client, channel.id));
    expect(listed).toEqual(committed);
    // …and nothing was committed twice or out of nowhere (each message is sent once).
    expect(duplicates(rows.map((r) => r.message))).toEqual([]);
    const sent = new Set(all.map((a) => a.message));
    expect(rows.filter((r) => !sent.has(r.message)).map((r) => r.message)).toEqual([]);
    // The load really straddled the kill.
    expect(created.some((a) => a.endedAt < killedAt)).toBe(true);
    expect(created.some((a) => a.startedAt > killedAt + KILL_WINDOW_MS)).toBe(true);

    // 2. Failed attempts (ambiguous: maybe committed) only ended inside the kill window, and
    // were never a client error.
    const failed = all.filter((a) => a.status !== 201);
    for (const a of failed) {
      expect(a.status === 'network' || (a.status as number) >= 500, `${a.message}: ${a.status}`).toBe(true);
      expect(a.endedAt, `${a.message} failed outside the kill window`).toBeGreaterThanOrEqual(killedAt);
      expect(a.endedAt, `${a.message} failed outside the kill window`).toBeLessThanOrEqual(killedAt + KILL_WINDOW_MS);
    }

    // 3. Every client ends with every committed post: over its socket, or over its socket plus
    // what it refetched after a fresh hello; never twice over the socket; no seq gap.
    const byMessage = new Map(all.map((a) => [a.message, a]));
    const describe = (id: string) => {
      const message = rows.find((r) => r.id === id)!.message;
      const a = byMessage.get(message)!;
      return `"${message}" (${a.status}, sent ${a.startedAt - killedAt} ms after the kill, answered ${a.endedAt - killedAt} ms after)`;
    };
    await eventually(
      async () => {
        const lacking = new Map<string, string[]>();
        for (const [k, v] of views.entries()) {
          await v.settled();
          const known = v.known();
          for (const id of committed) {
            if (!known.has(id)) lacking.set(id, [...(lacking.get(id) ?? []), `${k} (resyncs ${v.socket.missedResyncs}, connections ${v.socket.connections})`]);
          }
        }
        if (lacking.size) {
          throw new Error(
            `${lacking.size} committed posts missing from clients:\n${[...lacking].map(([id, who]) => `${describe(id)}: clients ${who.join(', ')}`).join('\n')}`,
          );
        }
      },
      20_000,
      200,
    );
    await sleep(1000);
    let reconnected = 0;
    for (const [k, v] of views.entries()) {
      const ws = v.wsIds();
      expect(duplicates(ws), `client ${k}: posts delivered twice`).toEqual([]);
      expect(
        ws.filter((id) => !committed.has(id)),
        `client ${k}: posts that are not in the database`,
      ).toEqual([]);
      expect(v.socket.seqProblems(), `client ${k}: event stream`).toEqual([]);
      if (v.socket.missedResyncs === 0) expect(new Set(ws), `client ${k} never resynced, so its socket had to carry everything`).toEqual(committed);
      else expect(v.refetches, `client ${k} got a fresh hello and must have refetched`).toBeGreaterThanOrEqual(v.socket.missedResyncs);
      if (v.socket.connections > 1) reconnected++;
    }
    // Some sockets were on the killed node (nginx spread them round-robin).
    expect(reconnected).toBeGreaterThan(0);
    const resynced = views.filter((v) => v.socket.missedResyncs > 0).length;
    console.info(
      `failover: ${all.length} attempts, ${created.length} created, ${failed.length} failed (${failed.map((a) => a.status).join(',') || 'none'}), ` +
        `${committed.size} committed; ${reconnected} sockets reconnected, ${resynced} of them with a fresh hello`,
    );

    // 4. nginx: the killed node served traffic before the kill; 5xx only inside the window.
    const log = nginx.accessLog();
    const victim = `${cluster.node(VICTIM).host}:${HTTP_PORT}`;
    expect(log.some((e) => e.at < killedAt && e.upstream.split(', ').includes(victim))).toBe(true);
    const outside = log.filter((e) => e.status >= 500 && (e.at < killedAt - 50 || e.at > killedAt + KILL_WINDOW_MS));
    const windows = [
      ...nginx.statusesByWindow(
        1000,
        log.filter((e) => e.at >= started),
      ),
    ].map(([t, c]) => `${t - killedAt}ms: ${JSON.stringify(c)}`);
    expect(outside, `5xx outside the kill window; status codes per second relative to the kill:\n${windows.join('\n')}`).toEqual([]);
  });
});
