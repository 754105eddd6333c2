/**
 * Access changes made on one node hold on the others at once: a revoked session is refused
 * everywhere within 1 s, and a user removed from a private channel stops getting its events on
 * every node immediately (no stale membership cache on the node holding the user's socket).
 * A role patched on one node changes what every node allows from the next request on.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSocket, eventually, expectClientError, NewUser, sleep, TestCluster } from '#testing';
import { channelWith, createPost, startFormedCluster, teamWith } from './cluster-fixtures.js';

const REVOKE_MS = 1000;
const SESSION_EXPIRED = 'api.context.session_expired.app_error';

let cluster: TestCluster;
let admin: NewUser;
let owner: NewUser;
let team: Team;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster({ nginx: false }));
  owner = await cluster.newUser({ via: 0 });
  team = await teamWith(owner, []);
});

afterAll(() => cluster?.stop());

/** Polls `fn` until it fails with 401, for at most `ms`; returns how long that took. */
async function refusedWithin(fn: () => Promise<unknown>, ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await fn();
    } catch (err: any) {
      expect(err.status_code, String(err.message)).toBe(401);
      expect(err.server_error_id).toBe(SESSION_EXPIRED);
      return Date.now() - started;
    }
    if (Date.now() - started > ms) throw new Error(`still accepted ${Date.now() - started} ms after the revocation`);
    await sleep(25);
  }
}

function closedWithin(socket: ClusterSocket, ms: number): Promise<void> {
  const conn = (socket.ws as any).conn;
  if (!conn || conn.readyState === 3) return Promise.resolve();
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`socket still open ${ms} ms after the revocation`)), ms);
    conn.addEventListener('close', () => {
      clearTimeout(timer);
      ok();
    });
  });
}

describe('sessions', () => {
  it('refuses on node B, within 1 s, a session an admin revoked on node A, and closes its sockets on node C', async () => {
    // The user logs in on B and uses the session there (so B has it cached).
    const u = await cluster.newUser({ via: 1 });
    for (let i = 0; i < 3; i++) await u.client.getMe();
    const onC = await cluster.socket(cluster.clientAs(u, 2), 2);
    const [session] = await cluster.clientAs(admin, 0).getSessions(u.user.id);
    const socketClosed = closedWithin(onC, REVOKE_MS + 500);

    await cluster.clientAs(admin, 0).revokeSession(u.user.id, session.id);
    const took = await refusedWithin(() => u.client.getMe(), REVOKE_MS);
    expect(took).toBeLessThanOrEqual(REVOKE_MS);
    await socketClosed;
    onC.close();
    // And on C, for REST too.
    expect((await expectClientError(() => cluster.clientAs(u, 2).getMe())).status_code).toBe(401);
  });

  it('refuses on every other node, within 1 s, a session logged out on node A', async () => {
    const u = await cluster.newUser({ via: 0 });
    const onB = cluster.clientAs(u, 1);
    const onC = cluster.clientAs(u, 2);
    await onB.getMe();
    await onC.getMe();
    await u.client.logout();
    const [tookB, tookC] = await Promise.all([refusedWithin(() => onB.getMe(), REVOKE_MS), refusedWithin(() => onC.getMe(), REVOKE_MS)]);
    expect(Math.max(tookB, tookC)).toBeLessThanOrEqual(REVOKE_MS);
  });
});

describe('channel membership', () => {
  let channel: Channel;
  let stays: NewUser;
  let leavers: NewUser[];

  beforeAll(async () => {
    stays = await cluster.newUser({ via: 2 });
    leavers = [];
    for (let i = 0; i < 3; i++) leavers.push(await cluster.newUser({ via: 2 }));
    for (const u of [stays, ...leavers]) await owner.client.addToTeam(team.id, u.user.id);
    channel = await channelWith(owner, team, 'P', [stays, ...leavers]);
  });

  it('stops sending a private channel’s events, on node C, to a user removed on node B, from the next event on', async () => {
    const stayer = await cluster.socket(cluster.clientAs(stays, 2), 2);
    const about = (id: string) => (e: { data: Record<string, any> }) => typeof e.data?.post === 'string' && JSON.parse(e.data.post).id === id;

    // Several rounds: each removal is followed at once by events made on all three nodes.
    for (const [round, leaver] of leavers.entries()) {
      const onC = await cluster.socket(cluster.clientAs(leaver, 2), 2);
      const before = await createPost(cluster.clientAs(owner, 0), channel.id, `round ${round}: before`);
      await onC.waitFor('posted', about(before.id), 2000);

      await cluster.clientAs(owner, 1).removeFromChannel(leaver.user.id, channel.id);
      const after = [
        await createPost(cluster.clientAs(owner, 0), channel.id, `round ${round}: after, via A`),
        await createPost(cluster.clientAs(owner, 1), channel.id, `round ${round}: after, via B`),
        await createPost(cluster.clientAs(owner, 2), channel.id, `round ${round}: after, via C`),
      ];
      await cluster.clientAs(owner, 0).patchPost({ id: before.id, message: `round ${round}: before, edited` } as any);

      // The remaining member gets all of it (so it was delivered to node C)…
      for (const p of after) await stayer.waitFor('posted', about(p.id), 3000);
      await stayer.waitFor('post_edited', about(before.id), 3000);
      // …the removed one is told it was removed, and gets none of it.
      const removed = await onC.waitFor('user_removed', (e) => e.data.channel_id === channel.id, 3000);
      expect(removed.broadcast.user_id).toBe(leaver.user.id);
      await onC.expectNone('posted', (e) => after.some((p) => about(p.id)(e)), 1000);
      await onC.expectNone('post_edited', about(before.id), 0);
      // Nor can it read the channel over REST on any node.
      for (const n of [0, 1, 2]) expect((await expectClientError(() => cluster.clientAs(leaver, n).getPosts(channel.id))).status_code, `node ${n}`).toBe(403);
      onC.close();
    }
  });
});

describe('roles', () => {
  it('applies a role patched on node A to requests on nodes B and C within 1 s, and tells sockets on C', async () => {
    const member = await cluster.newUser({ via: 1 });
    await owner.client.addToTeam(team.id, member.user.id);
    const channel = await channelWith(owner, team, 'O', [member]);
    // Every node has read the role before (so each holds it in memory).
    for (const n of [0, 1, 2]) await createPost(cluster.clientAs(member, n), channel.id, `allowed via ${n}`);
    const onC = await cluster.socket(cluster.clientAs(admin, 2), 2);
    const adminA = cluster.clientAs(admin, 0);
    const channelUser = await adminA.getRoleByName('channel_user');
    try {
      await adminA.patchRole(channelUser.id, { permissions: channelUser.permissions.filter((p) => p !== 'create_post') });
      const updated = await onC.waitFor('role_updated', (e) => JSON.parse(e.data.role).name === 'channel_user', 2000);
      expect(JSON.parse(updated.data.role).permissions).not.toContain('create_post');
      for (const n of [1, 2]) {
        const err = await eventually(() => expectClientError(() => createPost(cluster.clientAs(member, n), channel.id, `denied via ${n}`)), REVOKE_MS);
        expect(err.status_code, `node ${n}`).toBe(403);
      }
    } finally {
      await adminA.patchRole(channelUser.id, { permissions: channelUser.permissions });
    }
    await onC.waitFor('role_updated', (e) => JSON.parse(e.data.role).permissions.includes('create_post'), 2000);
    for (const n of [1, 2]) await eventually(() => createPost(cluster.clientAs(member, n), channel.id, `allowed again via ${n}`), REVOKE_MS);
    onC.close();
  });
});
