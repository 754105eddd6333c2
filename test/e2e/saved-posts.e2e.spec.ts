/**
 * Saved (flagged) posts, marking a post unread, message priority and acknowledgements, through
 * Mattermost's own client (getFlaggedPosts, markPostAsUnread, createPost with metadata.priority,
 * acknowledgePost, unacknowledgePost) and its WebSocket events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, NewUser, TestServer, TestSocket } from '#testing';
import { ChannelSuite, PERMISSION, post, startChannelSuite, stopChannelSuite } from './fixtures.js';

let suite: ChannelSuite;
let server: TestServer;
// The cast of fixtures.ts: alice owns the team, bob is in every channel, dave in none, carol not on the team.
let admin: NewUser, alice: NewUser, bob: NewUser, dave: NewUser, carol: NewUser;
let team: Team, pub: Channel, priv: Channel, dm: Channel;
let bobSocket: TestSocket, daveSocket: TestSocket;

beforeAll(async () => {
  suite = await startChannelSuite({
    team: { name: `team-s${Date.now()}`, display_name: 'Saved' },
    pub: { name: 'town-square-2', display_name: 'Town Square 2' },
    priv: { name: 'back-room', display_name: 'Back Room' },
  });
  ({ server, admin, alice, bob, dave, carol, team, pub, priv, dm } = suite);
  [bobSocket, daveSocket] = suite.sockets;
});
afterAll(() => stopChannelSuite(suite));

const flag = (u: NewUser, ...posts: Post[]) =>
  u.client.savePreferences(
    u.user.id,
    posts.map((p) => ({ user_id: u.user.id, category: 'flagged_post', name: p.id, value: 'true' })),
  );

/** A plain HTTP call with the client's token (for bodies Client4 does not send). */
function raw(c: Client4, path: string, init: RequestInit = {}) {
  return fetch(`${server.url}/api/v4${path}`, { ...init, headers: { Authorization: `Bearer ${c.getToken()}`, ...(init.headers ?? {}) } });
}

const withPriority = (priority: string, requestedAck = false, persistent = false) =>
  ({ metadata: { priority: { priority, requested_ack: requestedAck, persistent_notifications: persistent } } }) as unknown as Partial<Post>;

describe('saved posts (GET /users/{id}/posts/flagged)', () => {
  let p1: Post, p2: Post, p3: Post, gone: Post, unflagged: Post;

  beforeAll(async () => {
    p1 = await post(alice.client, pub.id, 'saved one');
    p2 = await post(alice.client, priv.id, 'saved two');
    p3 = await post(alice.client, dm.id, 'saved three');
    gone = await post(alice.client, pub.id, 'saved then deleted');
    unflagged = await post(alice.client, pub.id, 'never saved');
    await flag(bob, p1, p2, p3, gone);
    await alice.client.deletePost(gone.id);
  });

  it('lists the live flagged posts newest first, as a PostList', async () => {
    const list = await bob.client.getFlaggedPosts(bob.user.id);
    expect(list.order).toEqual([p3.id, p2.id, p1.id]);
    expect(Object.keys(list.posts).sort()).toEqual([p1.id, p2.id, p3.id].sort());
    expect(list.posts[p1.id]).toMatchObject({ id: p1.id, message: 'saved one', channel_id: pub.id });
    expect(list.posts[unflagged.id]).toBeUndefined();
    expect(list).toMatchObject({ next_post_id: '', prev_post_id: '' });
  });

  it('filters by channel, and by team keeping direct and group messages', async () => {
    expect((await bob.client.getFlaggedPosts(bob.user.id, pub.id)).order).toEqual([p1.id]);
    expect((await bob.client.getFlaggedPosts(bob.user.id, '', team.id)).order).toEqual([p3.id, p2.id, p1.id]);
    const elsewhere = await admin.client.createTeam({ name: `other-${Date.now()}`, display_name: 'Other', type: 'O' } as Team);
    expect((await bob.client.getFlaggedPosts(bob.user.id, '', elsewhere.id)).order).toEqual([p3.id]);
  });

  it('pages with page and per_page', async () => {
    expect((await bob.client.getFlaggedPosts('me', '', '', 0, 2)).order).toEqual([p3.id, p2.id]);
    expect((await bob.client.getFlaggedPosts('me', '', '', 1, 2)).order).toEqual([p1.id]);
  });

  it('drops the posts of channels the user has left', async () => {
    const room = await alice.client.createChannel({ team_id: team.id, name: `left-${Date.now()}`, display_name: 'Left', type: 'P' } as Channel);
    await alice.client.addToChannel(bob.user.id, room.id);
    const there = await post(alice.client, room.id, 'saved in a room bob leaves');
    await flag(bob, there);
    expect((await bob.client.getFlaggedPosts(bob.user.id)).order).toContain(there.id);
    await alice.client.removeFromChannel(bob.user.id, room.id);
    expect((await bob.client.getFlaggedPosts(bob.user.id)).order).not.toContain(there.id);
  });

  it("lets only the user and a system admin read someone's saved posts", async () => {
    for (const who of [dave, alice, carol]) {
      const err = await expectClientError(() => who.client.getFlaggedPosts(bob.user.id));
      expect(err).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    }
    expect((await admin.client.getFlaggedPosts(bob.user.id)).order).toEqual([p3.id, p2.id, p1.id]);
    const anon = await fetch(`${server.url}/api/v4/users/${bob.user.id}/posts/flagged`);
    expect(anon.status).toBe(401);
    const bad = await expectClientError(() => bob.client.getFlaggedPosts('nope'));
    expect(bad.status_code).toBe(400);
  });
});

describe('marking a post unread (POST /users/{id}/posts/{id}/set_unread)', () => {
  it('moves the member back to just before the post with its counts, and tells only the user', async () => {
    const room = await alice.client.createChannel({ team_id: team.id, name: `unread-${Date.now()}`, display_name: 'Unread', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, room.id);
    await post(alice.client, room.id, 'first');
    const marked = await post(alice.client, room.id, `hey @${bob.user.username}`);
    await post(alice.client, room.id, 'third, no mention');
    const reply = await post(alice.client, room.id, `in the thread @${bob.user.username}`, { root_id: marked.id });
    await bob.client.viewMyChannel(room.id);
    const before = await bob.client.getChannelMember(room.id, bob.user.id);
    expect(before.mention_count).toBe(0);

    const state = await bob.client.markPostAsUnread(bob.user.id, marked.id);
    expect(state).toEqual({
      team_id: team.id,
      user_id: bob.user.id,
      channel_id: room.id,
      // Four posts, the last three (two roots) unread again.
      msg_count: before.msg_count - 3,
      mention_count: 2,
      mention_count_root: 1,
      urgent_mention_count: 0,
      msg_count_root: before.msg_count_root - 2,
      last_viewed_at: marked.create_at - 1,
      notify_props: expect.objectContaining({ mark_unread: 'all' }),
    });
    expect(reply.root_id).toBe(marked.id);

    const event = await bobSocket.waitFor('post_unread', (e) => e.data.post_id === marked.id);
    expect(event.data).toEqual({
      msg_count: state.msg_count,
      msg_count_root: state.msg_count_root,
      mention_count: 2,
      mention_count_root: 1,
      urgent_mention_count: 0,
      last_viewed_at: marked.create_at - 1,
      post_id: marked.id,
    });
    expect(event.broadcast).toMatchObject({ user_id: bob.user.id, channel_id: room.id, team_id: team.id });
    await daveSocket.expectNone('post_unread', undefined, 200);

    const member = await bob.client.getChannelMember(room.id, bob.user.id);
    expect(member).toMatchObject({ last_viewed_at: marked.create_at - 1, mention_count: 2, msg_count: state.msg_count });
  });

  it('leaves the root counts read for a reply marked by a client without collapsed threads', async () => {
    const root = await post(alice.client, pub.id, 'thread root');
    const reply = await post(alice.client, pub.id, `reply for @${bob.user.username}`, { root_id: root.id });
    await bob.client.viewMyChannel(pub.id);
    const res = await raw(bob.client, `/users/${bob.user.id}/posts/${reply.id}/set_unread`, {
      method: 'POST',
      body: JSON.stringify({ collapsed_threads_supported: false }),
    });
    expect(res.status).toBe(200);
    const state = await res.json();
    expect(state).toMatchObject({ mention_count: 1, mention_count_root: 0, urgent_mention_count: 0, last_viewed_at: reply.create_at - 1 });
    const channel = await bob.client.getChannelMember(pub.id, bob.user.id);
    expect(channel.msg_count_root).toBe(state.msg_count_root);
  });

  it("counts every other member's post as a mention in a direct message", async () => {
    const d1 = await post(alice.client, dm.id, 'dm one');
    await post(bob.client, dm.id, 'my own answer');
    await post(alice.client, dm.id, 'dm two');
    await bob.client.viewMyChannel(dm.id);
    const state = await bob.client.markPostAsUnread(bob.user.id, d1.id);
    expect(state).toMatchObject({ channel_id: dm.id, team_id: '', mention_count: 2, mention_count_root: 2 });
  });

  it('refuses other users, readers without channel access, deleted and unknown posts', async () => {
    const target = await post(alice.client, priv.id, 'private words');
    const asOther = await expectClientError(() => bob.client.markPostAsUnread(alice.user.id, target.id));
    expect(asOther).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const outsider = await expectClientError(() => dave.client.markPostAsUnread(dave.user.id, target.id));
    expect(outsider).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const missing = await expectClientError(() => bob.client.markPostAsUnread(bob.user.id, 'a'.repeat(26)));
    expect(missing).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const deleted = await post(alice.client, priv.id, 'about to go');
    await alice.client.deletePost(deleted.id);
    const gone = await expectClientError(() => bob.client.markPostAsUnread(bob.user.id, deleted.id));
    expect(gone).toMatchObject({ status_code: 404, server_error_id: 'app.post.get.app_error' });
    // A system admin may mark it for bob.
    await expect(admin.client.markPostAsUnread(bob.user.id, target.id)).resolves.toMatchObject({ user_id: bob.user.id, channel_id: priv.id });
  });
});

describe('message priority and acknowledgements', () => {
  it('stores metadata.priority on a root post and returns it wherever the post is read', async () => {
    const room = await alice.client.createChannel({ team_id: team.id, name: `urgent-${Date.now()}`, display_name: 'Urgent', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, room.id);
    await bob.client.viewMyChannel(room.id);
    const urgent = await post(alice.client, room.id, `now please @${bob.user.username}`, withPriority('urgent', true));
    const priority = { priority: 'urgent', requested_ack: true, persistent_notifications: false };
    expect(urgent.metadata.priority).toEqual(priority);
    expect((await bob.client.getPost(urgent.id)).metadata.priority).toEqual(priority);
    const page = await bob.client.getPosts(room.id);
    expect(page.posts[urgent.id].metadata.priority).toEqual(priority);
    const event = await bobSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === urgent.id);
    expect(JSON.parse(event.data.post).metadata.priority).toEqual(priority);
    // An urgent mention counts as one.
    expect(await bob.client.getChannelMember(room.id, bob.user.id)).toMatchObject({ mention_count: 1, urgent_mention_count: 1 });
    // Marking it unread counts it again.
    await bob.client.viewMyChannel(room.id);
    expect(await bob.client.markPostAsUnread(bob.user.id, urgent.id)).toMatchObject({ mention_count: 1, urgent_mention_count: 1 });

    const plain = await post(alice.client, room.id, 'no priority');
    expect(plain.metadata.priority).toBeUndefined();
    expect((await bob.client.getPost(plain.id)).metadata.priority).toBeUndefined();
  });

  it('refuses priority on replies and persistent notifications on non-urgent posts', async () => {
    const root = await post(alice.client, pub.id, 'root');
    const reply = await expectClientError(() => post(alice.client, pub.id, 'reply', { root_id: root.id, ...withPriority('important') }));
    expect(reply).toMatchObject({ status_code: 400, server_error_id: 'api.post.post_priority.priority_post_only_allowed_for_root_post.request_error' });
    const persistent = await expectClientError(() => post(alice.client, pub.id, 'keep buzzing', withPriority('important', false, true)));
    expect(persistent).toMatchObject({ status_code: 400, server_error_id: 'api.post.post_priority.urgent_persistent_notification_post.request_error' });
    const badValue = await expectClientError(() => post(alice.client, pub.id, 'odd', withPriority('whenever')));
    expect(badValue.status_code).toBe(400);
    const page = await alice.client.getPosts(pub.id, 0, 5);
    expect(page.order.map((id) => page.posts[id].message)).not.toContain('keep buzzing');
  });

  it('acknowledges and takes it back, announcing both to the channel', async () => {
    const asked = await post(alice.client, pub.id, 'please confirm', withPriority('important', true));
    const ack = await bob.client.acknowledgePost(asked.id, bob.user.id);
    expect(ack).toEqual({ user_id: bob.user.id, post_id: asked.id, channel_id: pub.id, acknowledged_at: expect.any(Number) });
    const added = await bobSocket.waitFor('post_acknowledgement_added', (e) => JSON.parse(e.data.acknowledgement).post_id === asked.id);
    expect(JSON.parse(added.data.acknowledgement)).toEqual(ack);
    expect(added.broadcast.channel_id).toBe(pub.id);
    await daveSocket.expectNone('post_acknowledgement_added', undefined, 200);

    expect((await alice.client.getPost(asked.id)).metadata.acknowledgements).toEqual([ack]);
    const page = await alice.client.getPosts(pub.id, 0, 5);
    expect(page.posts[asked.id].metadata.acknowledgements).toEqual([ack]);

    await expect(bob.client.unacknowledgePost(asked.id, bob.user.id)).resolves.toEqual({ status: 'OK' });
    const removed = await bobSocket.waitFor('post_acknowledgement_removed', (e) => JSON.parse(e.data.acknowledgement).post_id === asked.id);
    expect(JSON.parse(removed.data.acknowledgement)).toEqual(ack);
    expect((await alice.client.getPost(asked.id)).metadata.acknowledgements).toBeUndefined();
    const again = await expectClientError(() => bob.client.unacknowledgePost(asked.id, bob.user.id));
    expect(again).toMatchObject({ status_code: 404, server_error_id: 'app.acknowledgement.get.app_error' });
  });

  it('refuses other users, readers without channel access and archived channels', async () => {
    const target = await post(alice.client, priv.id, 'ack me', withPriority('', true));
    const asOther = await expectClientError(() => bob.client.acknowledgePost(target.id, alice.user.id));
    expect(asOther).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const outsider = await expectClientError(() => dave.client.acknowledgePost(target.id, dave.user.id));
    expect(outsider).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    const undoOutsider = await expectClientError(() => dave.client.unacknowledgePost(target.id, dave.user.id));
    expect(undoOutsider).toMatchObject({ status_code: 403, server_error_id: PERMISSION });

    const room = await alice.client.createChannel({ team_id: team.id, name: `archive-${Date.now()}`, display_name: 'Archive', type: 'O' } as Channel);
    const old = await post(alice.client, room.id, 'old news', withPriority('', true));
    await alice.client.deleteChannel(room.id);
    const archived = await expectClientError(() => alice.client.acknowledgePost(old.id, alice.user.id));
    expect(archived).toMatchObject({ status_code: 403, server_error_id: 'api.acknowledgement.save.archived_channel.app_error' });
  });

  it('hides priority and refuses new ones while ServiceSettings.PostPriority is off', async () => {
    const before = await post(alice.client, pub.id, 'important before', withPriority('important'));
    const config = await admin.client.getClientConfig();
    expect(config.PostPriority).toBe('true');
    await admin.client.patchConfig({ ServiceSettings: { PostPriority: false } });
    try {
      const err = await expectClientError(() => post(alice.client, pub.id, 'important now', withPriority('important')));
      expect(err).toMatchObject({ status_code: 403, server_error_id: 'api.post.post_priority.priority_post_not_allowed_for_user.request_error' });
      expect((await alice.client.getPost(before.id)).metadata.priority).toBeUndefined();
      expect((await admin.client.getClientConfig()).PostPriority).toBe('false');
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { PostPriority: true } });
    }
    expect((await alice.client.getPost(before.id)).metadata.priority).toMatchObject({ priority: 'important' });
  });
});
