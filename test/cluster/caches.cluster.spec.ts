/**
 * Per-node caches are never served stale: a user read through node 1 (GET /users/{id}, POST
 * /users/ids, GET /users/{id}/image) or a status (POST /users/status/ids, GET /users/{id}/status),
 * so that node could have cached it, then changed through node 0. Once node 1 has delivered the
 * change's event to a socket, the cluster bus has brought it there (invalidations and events share
 * one ordered stream per peer, and the invalidation is sent first), so the very next read on
 * node 1 must show the change: one read, no retry, no waiting for a TTL. Profile changes are
 * proven by bob's `user_updated` (sent to everyone); a status change by alice's own
 * `status_change`, the only socket it goes to (as in Mattermost), on the reading node; a channel's
 * changes (GET /channels/{id}, and the channel a post through node 1 is made in) by bob's
 * `channel_updated`, `channel_deleted` and `posted`; its counts (GET
 * /channels/{id}/stats) by bob's `user_added`, `post_edited`, `user_updated` and `post_deleted`.
 */
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile, UserStatus } from '@mattermost/types/users';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterSocket, expectClientError, NewUser, TestCluster, WsEventMessage } from '#testing';
import { channelWith, startFormedCluster, teamWith, uniqueName } from './cluster-fixtures.js';

/** Where changes are made, and the node whose caches must follow. */
const WRITER = 0;
const READER = 1;
/** A change's event reaches a socket on the other node this soon. */
const EVENT_MS = 5000;

let cluster: TestCluster;
let admin: NewUser;
/** Changes their profile, picture and status through WRITER. */
let alice: NewUser;
/** Reads alice through READER, with a socket there. */
let bob: NewUser;
let bobSocket: ClusterSocket;
let team: Team;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster({ nodes: 2, nginx: false }));
  alice = await cluster.newUser({ via: WRITER });
  bob = await cluster.newUser({ via: READER });
  team = await teamWith(admin, [alice, bob]);
  bobSocket = await cluster.socket(cluster.clientAs(bob, READER), READER);
});

afterAll(() => cluster?.stop());

/**
 * Starts watching `socket` now (before the change is made, as its event may come before the
 * response); the returned wait resolves with the first matching event that arrives after this call.
 */
function watch(socket: ClusterSocket) {
  const from = socket.events.length;
  return (event: string, predicate: (e: WsEventMessage) => boolean) => socket.waitFor(event, (e) => socket.events.indexOf(e) >= from && predicate(e), EVENT_MS);
}

const onReader = (u: NewUser) => cluster.clientAs(u, READER);
const onWriter = (u: NewUser) => cluster.clientAs(u, WRITER);

/** alice as bob gets her through READER, from both user routes (each read twice, so either could be cached). */
async function aliceOnReader(): Promise<{ byId: UserProfile; byIds: UserProfile }> {
  const c = onReader(bob);
  let byId: UserProfile | undefined;
  let byIds: UserProfile[] = [];
  for (let i = 0; i < 2; i++) {
    byId = await c.getUser(alice.user.id);
    byIds = await c.getProfilesByIds([alice.user.id]);
  }
  expect(byIds.map((u) => u.id)).toEqual([alice.user.id]);
  return { byId: byId!, byIds: byIds[0] };
}

/** GET /users/{id}/image through `target` as bob (optionally revalidating with an ETag). */
async function picture(target: number, userId: string, ifNoneMatch?: string): Promise<{ status: number; etag: string | null; body: Buffer }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${bob.client.getToken()}` };
  if (ifNoneMatch) headers['If-None-Match'] = ifNoneMatch;
  const res = await fetch(`${cluster.url(target)}/api/v4/users/${userId}/image`, { headers });
  return { status: res.status, etag: res.headers.get('etag'), body: Buffer.from(await res.arrayBuffer()) };
}

/** alice's status through READER as bob, from both status routes (read twice before a change). */
async function aliceStatusOnReader(times = 1): Promise<{ byIds: string; byId: string }> {
  const c = onReader(bob);
  let byIds: UserStatus[] = [];
  let byId: UserStatus | undefined;
  for (let i = 0; i < times; i++) {
    byIds = await c.getStatusesByIds([alice.user.id]);
    byId = await c.getStatus(alice.user.id);
  }
  expect(byIds.map((s) => s.user_id)).toEqual([alice.user.id]);
  return { byIds: byIds[0].status, byId: byId!.status };
}

describe('per-node caches after a change on another node', () => {
  it("serves alice's patched profile on the other node as soon as its user_updated arrives there", async () => {
    const before = await aliceOnReader();
    expect(before.byId.nickname).toBe('');

    const nickname = uniqueName('nick');
    const firstName = uniqueName('First');
    let next = watch(bobSocket);
    await onWriter(alice).patchUser({ id: alice.user.id, nickname, first_name: firstName });
    await next('user_updated', (e) => e.data.user?.id === alice.user.id && e.data.user.nickname === nickname);
    let after = await aliceOnReader();
    expect(after.byId, 'GET /users/{id} on the reader').toMatchObject({ nickname, first_name: firstName });
    expect(after.byIds, 'POST /users/ids on the reader').toMatchObject({ nickname, first_name: firstName });

    // A second change right after the first (its entry now cached again on the reader).
    const position = uniqueName('pos');
    next = watch(bobSocket);
    await onWriter(alice).patchUser({ id: alice.user.id, position });
    await next('user_updated', (e) => e.data.user?.id === alice.user.id && e.data.user.position === position);
    after = await aliceOnReader();
    expect(after.byId, 'GET /users/{id} on the reader').toMatchObject({ nickname, first_name: firstName, position });
    expect(after.byIds, 'POST /users/ids on the reader').toMatchObject({ nickname, first_name: firstName, position });
  });

  it("serves alice's new picture and last_picture_update on the other node as soon as its user_updated arrives there", async () => {
    const before = await aliceOnReader();
    expect(before.byId.last_picture_update ?? 0).toBeLessThanOrEqual(0);
    await picture(READER, alice.user.id);
    const defaultPicture = await picture(READER, alice.user.id);
    expect(defaultPicture.status).toBe(200);
    expect(defaultPicture.etag).toEqual(expect.any(String));
    expect((await picture(READER, alice.user.id, defaultPicture.etag!)).status, 'unchanged picture revalidated').toBe(304);

    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 0, g: 96, b: 255 } } })
      .png()
      .toBuffer();
    const next = watch(bobSocket);
    await onWriter(alice).uploadProfileImage(alice.user.id, new File([new Uint8Array(png)], 'blue.png', { type: 'image/png' }));
    const event = await next('user_updated', (e) => e.data.user?.id === alice.user.id && e.data.user.last_picture_update > 0);
    const uploadedAt: number = event.data.user.last_picture_update;

    const after = await aliceOnReader();
    expect(after.byId.last_picture_update, 'GET /users/{id} on the reader').toBe(uploadedAt);
    expect(after.byIds.last_picture_update, 'POST /users/ids on the reader').toBe(uploadedAt);
    // Revalidating with the old ETag must not get a 304: the picture changed.
    const served = await picture(READER, alice.user.id, defaultPicture.etag!);
    expect(served.status, 'GET /users/{id}/image with the old ETag on the reader').toBe(200);
    expect(served.etag).not.toBe(defaultPicture.etag);
    expect(served.etag).toContain(String(uploadedAt));
    expect(served.body.equals(defaultPicture.body), 'the reader still serves the default picture').toBe(false);
    const onWriterNode = await picture(WRITER, alice.user.id);
    expect(served.body.equals(onWriterNode.body), 'both nodes serve the same picture').toBe(true);
    expect(served.etag).toBe(onWriterNode.etag);
  });

  it("serves alice's status on the other node as soon as her status_change arrives there (dnd, then online)", async () => {
    // status_change goes only to the user's own sockets (as in Mattermost), so alice has one on the reader.
    const aliceSocket = await cluster.socket(onReader(alice), READER);
    try {
      // Connecting made her online; let that settle before the reads that could cache it.
      await aliceSocket.waitFor('status_change', (e) => e.data.user_id === alice.user.id && e.data.status === 'online', EVENT_MS);
      expect(await aliceStatusOnReader(2)).toEqual({ byIds: 'online', byId: 'online' });

      for (const status of ['dnd', 'online']) {
        const next = watch(aliceSocket);
        await onWriter(alice).updateStatus({ user_id: alice.user.id, status } as UserStatus);
        await next('status_change', (e) => e.data.user_id === alice.user.id && e.data.status === status);
        expect(await aliceStatusOnReader(), `alice's status on the reader after she set ${status}`).toEqual({ byIds: status, byId: status });
        // Read twice more, so the next change finds it cached again.
        await aliceStatusOnReader(2);
      }
    } finally {
      aliceSocket.close();
    }
  });

  it('serves the first status of a user who had none on the other node once a later event from that node arrives', async () => {
    // The reader remembers that dave has no status row (offline); his first status creates it.
    const dave = await cluster.newUser({ via: WRITER });
    const channel = await channelWith(alice, team, 'O', [bob]);
    const daveOnReader = async () => {
      const [byIds] = await onReader(bob).getStatusesByIds([dave.user.id]);
      return { byIds: byIds.status, byId: (await onReader(bob).getStatus(dave.user.id)).status };
    };
    for (let i = 0; i < 2; i++) expect(await daveOnReader()).toEqual({ byIds: 'offline', byId: 'offline' });

    await onWriter(dave).updateStatus({ user_id: dave.user.id, status: 'dnd' } as UserStatus);
    // dave's status_change goes to his sockets only: a later event from the writer to bob comes
    // down the same ordered stream, behind the invalidation.
    const next = watch(bobSocket);
    await onWriter(alice).createPost({ channel_id: channel.id, message: 'after dave set his status' } as Post);
    await next('posted', (e) => e.broadcast.channel_id === channel.id);
    expect(await daveOnReader(), "dave's first status on the reader").toEqual({ byIds: 'dnd', byId: 'dnd' });
  });

  it("serves a channel's new header and its new last post on the other node as soon as their events arrive there", async () => {
    const channel = await channelWith(alice, team, 'O', [bob]);
    const readChannel = async () => {
      await onReader(bob).getChannel(channel.id);
      return onReader(bob).getChannel(channel.id);
    };
    expect((await readChannel()).header).toBe('');

    const header = uniqueName('header');
    let next = watch(bobSocket);
    await onWriter(alice).patchChannel(channel.id, { header } as Partial<Channel>);
    await next('channel_updated', (e) => e.broadcast.channel_id === channel.id || JSON.parse(e.data.channel ?? '{}').id === channel.id);
    const patched = await readChannel();
    expect(patched.header, 'GET /channels/{id} on the reader').toBe(header);

    next = watch(bobSocket);
    const post = await onWriter(alice).createPost({ channel_id: channel.id, message: 'moves last_post_at' } as Post);
    await next('posted', (e) => e.broadcast.channel_id === channel.id);
    const posted = await onReader(bob).getChannel(channel.id);
    expect(posted.last_post_at, 'last_post_at on the reader').toBe(post.create_at);
    expect(posted.total_msg_count, 'total_msg_count on the reader').toBe(patched.total_msg_count + 1);
  });

  it("posts on the other node with a channel's new name, and refuses posts there once it is archived, as soon as their events arrive", async () => {
    const channel = await channelWith(alice, team, 'O', [bob]);
    // Busy first: each post through the reader reads the channel there, and the writer's posts move its counts.
    for (const u of [bob, alice]) await onReader(u).createPost({ channel_id: channel.id, message: 'warm' } as Post);
    await onWriter(alice).createPost({ channel_id: channel.id, message: 'from the writer' } as Post);

    const displayName = uniqueName('renamed');
    let next = watch(bobSocket);
    await onWriter(alice).patchChannel(channel.id, { display_name: displayName } as Partial<Channel>);
    await next('channel_updated', (e) => e.broadcast.channel_id === channel.id || JSON.parse(e.data.channel ?? '{}').id === channel.id);
    next = watch(bobSocket);
    const after = await onReader(bob).createPost({ channel_id: channel.id, message: 'after the rename' } as Post);
    const posted = await next('posted', (e) => (JSON.parse(e.data.post) as Post).id === after.id);
    expect(posted.data.channel_display_name, "the posted event's channel name on the reader").toBe(displayName);

    next = watch(bobSocket);
    await onWriter(alice).deleteChannel(channel.id);
    await next('channel_deleted', (e) => e.data.channel_id === channel.id);
    const refused = await expectClientError(() => onReader(bob).createPost({ channel_id: channel.id, message: 'after the archive' } as Post));
    expect([refused.status_code, refused.server_error_id]).toEqual([400, 'api.post.create_post.can_not_post_to_deleted.error']);
  });

  it('applies channel and team membership changes made on one node to permission checks on the other as soon as their events arrive', async () => {
    const [carol, dave, eve] = [await cluster.newUser({ via: WRITER }), await cluster.newUser({ via: WRITER }), await cluster.newUser({ via: WRITER })];
    for (const u of [carol, dave, eve]) await admin.client.addToTeam(team.id, u.user.id);
    const channel = await channelWith(carol, team, 'P', [dave, eve]);
    const daveSocket = await cluster.socket(onReader(dave), READER);
    /** What dave's call through the reader answered: 200, or the error's status. */
    const status = async (call: () => Promise<unknown>) => {
      try {
        await call();
        return 200;
      } catch (err) {
        return (err as { status_code?: number }).status_code ?? 0;
      }
    };
    const readPosts = () => status(() => onReader(dave).getPosts(channel.id));
    const setEveRoles = () => status(() => onReader(dave).updateChannelMemberSchemeRoles(channel.id, eve.user.id, true, false));
    const readTeam = () => status(() => onReader(dave).getTeam(team.id));
    try {
      // Each asked twice on the reader, so that the answers could be cached there.
      for (let i = 0; i < 2; i++) expect([await readPosts(), await setEveRoles(), await readTeam()]).toEqual([200, 403, 200]);

      let next = watch(daveSocket);
      await onWriter(carol).updateChannelMemberSchemeRoles(channel.id, dave.user.id, true, true);
      await next('channel_member_updated', (e) => JSON.parse(e.data.channelMember ?? '{}').scheme_admin === true);
      expect(await setEveRoles(), 'a channel admin on the writer is one on the reader').toBe(200);

      next = watch(daveSocket);
      await onWriter(carol).removeFromChannel(dave.user.id, channel.id);
      await next('user_removed', (e) => e.broadcast.user_id === dave.user.id || e.data.user_id === dave.user.id);
      expect(await readPosts(), 'removed from the private channel on the writer, no longer reads it on the reader').toBe(403);

      next = watch(daveSocket);
      await admin.client.removeFromTeam(team.id, dave.user.id);
      await next('leave_team', (e) => e.data.user_id === dave.user.id);
      expect(await readTeam(), 'removed from the team on the writer, no longer in it on the reader').toBe(403);
    } finally {
      daveSocket.close();
    }
  });

  it("serves a channel's member and pinned post counts on the other node as soon as the events of their changes arrive there", async () => {
    const carol = await cluster.newUser({ via: WRITER });
    await admin.client.addToTeam(team.id, carol.user.id);
    const channel = await channelWith(alice, team, 'O', [bob]);
    const post = await onWriter(alice).createPost({ channel_id: channel.id, message: 'to be pinned' } as Post);
    /** GET /channels/{id}/stats on the reader, asked twice so that the second answer could come from its cache. */
    const stats = async () => {
      await onReader(bob).getChannelStats(channel.id, true);
      const s = await onReader(bob).getChannelStats(channel.id, true);
      return { members: s.member_count, pinned: s.pinnedpost_count };
    };
    expect(await stats()).toEqual({ members: 2, pinned: 0 });

    let next = watch(bobSocket);
    await onWriter(alice).addToChannel(carol.user.id, channel.id);
    await next('user_added', (e) => e.broadcast.channel_id === channel.id && e.data.user_id === carol.user.id);
    expect(await stats(), 'carol added on the writer').toEqual({ members: 3, pinned: 0 });

    next = watch(bobSocket);
    await onWriter(alice).pinPost(post.id);
    await next('post_edited', (e) => JSON.parse(e.data.post ?? '{}').is_pinned === true);
    expect(await stats(), 'pinned on the writer').toEqual({ members: 3, pinned: 1 });

    next = watch(bobSocket);
    await onWriter(admin).updateUserActive(carol.user.id, false);
    await next('user_updated', (e) => e.data.user?.id === carol.user.id && e.data.user.delete_at > 0);
    expect(await stats(), 'carol deactivated on the writer').toEqual({ members: 2, pinned: 1 });

    next = watch(bobSocket);
    await onWriter(alice).deletePost(post.id);
    await next('post_deleted', (e) => JSON.parse(e.data.post ?? '{}').id === post.id);
    expect(await stats(), 'the pinned post deleted on the writer').toEqual({ members: 2, pinned: 0 });
  });

  it('shows alice deactivated on the other node as soon as her user_updated arrives there', async () => {
    const before = await aliceOnReader();
    expect(before.byId.delete_at).toBe(0);
    expect(before.byIds.delete_at).toBe(0);

    const next = watch(bobSocket);
    const res = await fetch(`${cluster.url(WRITER)}/api/v4/users/${alice.user.id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${admin.client.getToken()}` },
    });
    expect(res.status, await res.text()).toBe(200);
    await next('user_updated', (e) => e.data.user?.id === alice.user.id && e.data.user.delete_at > 0);

    const after = await aliceOnReader();
    expect(after.byId.delete_at, 'GET /users/{id} on the reader').toBeGreaterThan(0);
    expect(after.byIds.delete_at, 'POST /users/ids on the reader').toBeGreaterThan(0);
  });
});
