import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import type { UserThread } from '@mattermost/types/threads';
import { expectClientError, NewUser, TestServer, TestSocket } from '#testing';
import { ChannelSuite, PERMISSION, post, startChannelSuite, stopChannelSuite } from './fixtures.js';

let suite: ChannelSuite;
let server: TestServer;
// The cast of fixtures.ts: alice owns the team, bob is in every channel, dave in none, carol not on the team.
let alice: NewUser, bob: NewUser, dave: NewUser, carol: NewUser, admin: NewUser;
let team: Team, pub: Channel, priv: Channel, dm: Channel;
let aliceSocket: TestSocket, bobSocket: TestSocket;

beforeAll(async () => {
  suite = await startChannelSuite({
    team: { name: `team-t${Date.now()}`, display_name: 'Threads' },
    pub: { name: 'threads-pub', display_name: 'Threads Public' },
    priv: { name: 'threads-priv', display_name: 'Threads Private' },
  });
  ({ server, admin, alice, bob, dave, carol, team, pub, priv, dm } = suite);
  [bobSocket] = suite.sockets;
  aliceSocket = await server.socket(alice.client);
});
afterAll(async () => {
  aliceSocket?.close();
  await stopChannelSuite(suite);
});

const reply = (u: NewUser, root: Post, message: string) => post(u.client, root.channel_id, message, { root_id: root.id });
const threadsOf = (u: NewUser, opts: Parameters<NewUser['client']['getUserThreads']>[2] = {}) => u.client.getUserThreads(u.user.id, team.id, opts);
const threadOf = (data: Record<string, any>) => JSON.parse(data.thread as string) as UserThread & { post: Post };

describe('automatic following', () => {
  it('makes the root author and the replier follow; unread replies count for the author only', async () => {
    const root = await post(alice.client, pub.id, 'a root to reply to');
    const r1 = await reply(bob, root, 'first reply');

    const mine = await threadsOf(alice);
    const thread = mine.threads.find((t) => t.id === root.id)!;
    expect(thread).toMatchObject({
      id: root.id,
      reply_count: 1,
      last_reply_at: r1.create_at,
      unread_replies: 1,
      unread_mentions: 0,
      is_urgent: false,
      delete_at: 0,
    });
    expect(thread.participants).toEqual([{ id: bob.user.id }]);
    expect(thread.post).toMatchObject({ id: root.id, message: 'a root to reply to', reply_count: 1 });
    expect(mine).toMatchObject({ total_unread_urgent_mentions: 0 });
    expect(mine.total).toBeGreaterThanOrEqual(1);

    const bobs = (await threadsOf(bob)).threads.find((t) => t.id === root.id)!;
    expect(bobs).toMatchObject({ unread_replies: 0, unread_mentions: 0 });
    expect(bobs.last_viewed_at).toBeGreaterThanOrEqual(r1.create_at);
  });

  it('marks a thread urgent when its root was posted urgent, and counts its unread mentions apart', async () => {
    const before = (await threadsOf(alice)).total_unread_urgent_mentions ?? 0;
    const root = await post(alice.client, pub.id, 'an urgent root', { metadata: { priority: { priority: 'urgent' } } } as Partial<Post>);
    await reply(bob, root, `@${alice.user.username} on it`);

    const mine = await threadsOf(alice);
    expect(mine.threads.find((t) => t.id === root.id)).toMatchObject({ is_urgent: true, unread_mentions: 1 });
    expect(mine.total_unread_urgent_mentions).toBe(before + 1);
    await alice.client.updateThreadReadForUser(alice.user.id, team.id, root.id, Date.now());
    expect((await threadsOf(alice)).total_unread_urgent_mentions).toBe(before);
  });

  it('sends thread_updated to each follower with the thread as a JSON string and the previous counts', async () => {
    const root = await post(alice.client, pub.id, 'events root');
    await reply(bob, root, 'events reply 1');
    const first = await aliceSocket.waitFor('thread_updated', (e) => threadOf(e.data).id === root.id);
    expect(first.broadcast).toMatchObject({ user_id: alice.user.id, team_id: team.id });
    expect(first.data).toMatchObject({ previous_unread_mentions: 0, previous_unread_replies: 0 });
    expect(threadOf(first.data)).toMatchObject({
      reply_count: 1,
      unread_replies: 1,
      participants: [expect.objectContaining({ id: bob.user.id, username: bob.user.username })],
    });

    await reply(bob, root, 'events reply 2, @' + alice.user.username);
    const second = await aliceSocket.waitFor('thread_updated', (e) => threadOf(e.data).id === root.id && threadOf(e.data).reply_count === 2);
    // Before this reply alice had one unread reply and no mention.
    expect(second.data).toMatchObject({ previous_unread_replies: 1, previous_unread_mentions: 0 });
    expect(threadOf(second.data)).toMatchObject({ unread_replies: 2, unread_mentions: 1 });
    // The poster's own event shows the thread read.
    const own = await bobSocket.waitFor('thread_updated', (e) => threadOf(e.data).id === root.id && threadOf(e.data).reply_count === 2);
    expect(threadOf(own.data)).toMatchObject({ unread_replies: 0, unread_mentions: 0 });
  });

  it('makes a mentioned channel member follow with an unread mention, and counts it in the totals', async () => {
    const root = await post(alice.client, priv.id, 'private root');
    await reply(alice, root, `@${bob.user.username} look`);
    const bobs = await threadsOf(bob, { extended: true });
    const thread = bobs.threads.find((t) => t.id === root.id)!;
    expect(thread).toMatchObject({ unread_replies: 1, unread_mentions: 1 });
    expect(thread.participants[0]).toMatchObject({ id: alice.user.id, username: alice.user.username });
    expect(bobs.total_unread_mentions).toBeGreaterThanOrEqual(1);
    const single = await bob.client.getUserThread(bob.user.id, team.id, root.id, true);
    expect(single).toMatchObject({ id: root.id, unread_mentions: 1, unread_replies: 1 });
  });

  it('follows direct message threads too, listed in every team', async () => {
    const root = await post(alice.client, dm.id, 'dm root');
    await reply(alice, root, 'dm reply');
    const thread = (await threadsOf(bob)).threads.find((t) => t.id === root.id)!;
    // In a direct message every reply of the other person mentions you.
    expect(thread).toMatchObject({ unread_replies: 1, unread_mentions: 1 });
  });
});

describe('reading, marking unread, following', () => {
  let root: Post, r1: Post, r2: Post;
  beforeAll(async () => {
    root = await post(bob.client, pub.id, 'read state root');
    r1 = await reply(alice, root, `one for @${bob.user.username}`);
    r2 = await reply(alice, root, 'two');
  });

  it('reads a thread up to a time, with thread_read_changed and Mattermost’s data keys', async () => {
    const read = await bob.client.updateThreadReadForUser(bob.user.id, team.id, root.id, r2.create_at);
    expect(read).toMatchObject({ id: root.id, unread_replies: 0, unread_mentions: 0, last_viewed_at: r2.create_at });
    const event = await bobSocket.waitFor('thread_read_changed', (e) => e.data.thread_id === root.id);
    expect(event.broadcast).toMatchObject({ user_id: bob.user.id, team_id: team.id });
    expect(event.data).toEqual({
      thread_id: root.id,
      timestamp: r2.create_at,
      unread_mentions: 0,
      unread_replies: 0,
      previous_unread_mentions: 1,
      previous_unread_replies: 2,
      channel_id: pub.id,
    });
  });

  it('marks a thread unread from a post: replies and mentions from it on are unread again', async () => {
    const unread = await bob.client.markThreadAsUnreadForUser(bob.user.id, team.id, root.id, r1.id);
    expect(unread).toMatchObject({ unread_replies: 2, unread_mentions: 1, last_viewed_at: r1.create_at - 1 });
    const other = await post(bob.client, pub.id, 'another root');
    const err = await expectClientError(() => bob.client.markThreadAsUnreadForUser(bob.user.id, team.id, root.id, other.id));
    expect(err).toMatchObject({ status_code: 400, server_error_id: 'app.user.update_thread_read_for_user_by_post.app_error' });
  });

  it('unfollows and follows again, with thread_follow_changed; an unfollowed thread is not listed', async () => {
    await bob.client.updateThreadFollowForUser(bob.user.id, team.id, root.id, false);
    const event = await bobSocket.waitFor('thread_follow_changed', (e) => e.data.thread_id === root.id && e.data.state === false);
    expect(event.data).toEqual({ thread_id: root.id, state: false, reply_count: 2 });
    expect((await threadsOf(bob)).threads.map((t) => t.id)).not.toContain(root.id);
    const err = await expectClientError(() => bob.client.getUserThread(bob.user.id, team.id, root.id));
    expect(err.status_code).toBe(404);

    // A reply that does not mention bob leaves him unfollowed; one that does brings him back.
    await reply(alice, root, 'three');
    expect((await threadsOf(bob)).threads.map((t) => t.id)).not.toContain(root.id);
    await reply(alice, root, `four, @${bob.user.username}`);
    // Mentions left unread when he unfollowed (one, from marking unread) still count, plus this one.
    expect((await threadsOf(bob)).threads.find((t) => t.id === root.id)).toMatchObject({ unread_mentions: 2 });

    await bob.client.updateThreadFollowForUser(bob.user.id, team.id, root.id, true);
    await bobSocket.waitFor('thread_follow_changed', (e) => e.data.thread_id === root.id && e.data.state === true);
    // Following reads the thread up to now.
    expect(await bob.client.getUserThread(bob.user.id, team.id, root.id)).toMatchObject({ unread_replies: 0, unread_mentions: 0 });
  });

  it('reads every thread of the team at once', async () => {
    const other = await post(alice.client, pub.id, 'read-all root');
    await reply(bob, other, 'bob joins');
    await reply(alice, other, 'alice again');
    expect((await threadsOf(bob)).total_unread_threads).toBeGreaterThan(0);
    await bob.client.updateThreadsReadForUser(bob.user.id, team.id);
    const event = await bobSocket.waitFor('thread_read_changed', (e) => e.data.thread_id === undefined);
    expect(event.broadcast).toMatchObject({ user_id: bob.user.id, team_id: team.id });
    const after = await threadsOf(bob);
    expect(after).toMatchObject({ total_unread_threads: 0, total_unread_mentions: 0 });
    expect(after.threads.every((t) => t.unread_replies === 0)).toBe(true);
  });
});

describe('the list', () => {
  it('pages by last reply with before/after, filters unread and since, and answers totals or threads only', async () => {
    const roots: Post[] = [];
    for (let i = 0; i < 3; i++) {
      const root = await post(alice.client, pub.id, `paging ${i}`);
      await reply(alice, root, `paging reply ${i}`);
      roots.push(root);
    }
    const first = await threadsOf(alice, { perPage: 2 });
    expect(first.threads).toHaveLength(2);
    expect(first.threads[0].last_reply_at).toBeGreaterThanOrEqual(first.threads[1].last_reply_at);
    const next = await threadsOf(alice, { perPage: 2, before: first.threads[1].id });
    expect(next.threads[0].last_reply_at).toBeLessThan(first.threads[1].last_reply_at);
    const back = await threadsOf(alice, { perPage: 1, after: next.threads[0].id });
    expect(back.threads[0].id).toBe(first.threads[1].id);

    const totals = await threadsOf(alice, { totalsOnly: true });
    expect(totals.threads).toEqual([]);
    expect(totals.total).toBeGreaterThan(3);
    const threadsOnly = await threadsOf(alice, { threadsOnly: true });
    expect(threadsOnly).toMatchObject({ total: 0, total_unread_threads: 0, total_unread_mentions: 0 });
    expect(threadsOnly.threads.length).toBeGreaterThan(0);

    const unread = await threadsOf(alice, { unread: true });
    expect(unread.threads.every((t) => t.unread_replies > 0)).toBe(true);
    expect(unread.total).toBe(unread.total_unread_threads);

    const since = await threadsOf(alice, { since: Date.now() + 60_000 });
    expect(since.threads).toEqual([]);
  });

  it('keeps a deleted root out of the list unless deleted=true', async () => {
    const root = await post(alice.client, pub.id, 'to be deleted');
    await reply(bob, root, 'reply to the doomed');
    await alice.client.deletePost(root.id);
    expect((await threadsOf(bob)).threads.map((t) => t.id)).not.toContain(root.id);
    const withDeleted = await threadsOf(bob, { deleted: true });
    // model.ThreadResponse's delete_at, which the client's type leaves out.
    const deleted = withDeleted.threads.find((t) => t.id === root.id) as (UserThread & { delete_at: number }) | undefined;
    expect(deleted?.delete_at).toBeGreaterThan(0);
  });

  it('drops threads of a channel the user can no longer read', async () => {
    const room = await alice.client.createChannel({ team_id: team.id, name: `room-${Date.now()}`, display_name: 'Room', type: 'P' } as Channel);
    await alice.client.addToChannel(bob.user.id, room.id);
    const root = await post(alice.client, room.id, 'soon hidden');
    await reply(bob, root, 'bob was here');
    expect((await threadsOf(bob)).threads.map((t) => t.id)).toContain(root.id);
    await alice.client.removeFromChannel(bob.user.id, room.id);
    expect((await threadsOf(bob)).threads.map((t) => t.id)).not.toContain(root.id);
    const err = await expectClientError(() => bob.client.getUserThread(bob.user.id, team.id, root.id));
    expect(err).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
  });
});

describe('unread counts with collapsed threads', () => {
  it('counts replies in thread counts, not in the channel root counts', async () => {
    const before = await alice.client.getChannel(pub.id);
    const root = await post(bob.client, pub.id, 'counting root');
    await reply(bob, root, `counting reply @${alice.user.username}`);
    const after = await alice.client.getChannel(pub.id);
    expect(after.total_msg_count_root).toBe(before.total_msg_count_root + 1);
    expect(after.total_msg_count).toBe(before.total_msg_count + 2);
    expect(after.last_root_post_at).toBe(root.create_at);
    const member = await alice.client.getChannelMember(pub.id, alice.user.id);
    expect(member.mention_count_root).toBe(0);
    expect(member.mention_count).toBeGreaterThan(0);
    expect(member.urgent_mention_count).toBe(0);

    const unreads = await alice.client.getMyTeamUnreads(true);
    const mine = unreads.find((u) => u.team_id === team.id)!;
    expect(mine.thread_count).toBeGreaterThan(0);
    expect(mine.thread_mention_count).toBeGreaterThan(0);
    const without = (await alice.client.getMyTeamUnreads(false)).find((u) => u.team_id === team.id)!;
    expect(without).toMatchObject({ thread_count: 0, thread_mention_count: 0 });

    // Viewing the channel reads its root counts.
    await alice.client.viewMyChannel(pub.id);
    expect(await alice.client.getChannelMember(pub.id, alice.user.id)).toMatchObject({ msg_count_root: after.total_msg_count_root, mention_count_root: 0 });
  });

  it('lists only roots with participants when collapsedThreads is asked for', async () => {
    const root = await post(alice.client, pub.id, 'collapsed root');
    await reply(bob, root, 'collapsed reply');
    const list = await alice.client.getPosts(pub.id, 0, 30, false, true, true);
    expect(Object.values(list.posts).every((p) => p.root_id === '')).toBe(true);
    expect(list.posts[root.id].participants).toEqual([expect.objectContaining({ id: bob.user.id, username: bob.user.username })]);
    // Whether the viewer follows each root; absent where they never did.
    expect(list.posts[root.id].is_following).toBe(true);
    const lonely = await post(bob.client, pub.id, 'nobody replied');
    const again = await alice.client.getPosts(pub.id, 0, 30, false, true, false);
    expect(again.posts[lonely.id]).not.toHaveProperty('is_following');
    expect(again.posts[root.id].is_following).toBe(true);
  });
});

describe('denied and invalid', () => {
  it('refuses another user’s threads without edit_other_users; a system admin may', async () => {
    const err = await expectClientError(() => bob.client.getUserThreads(alice.user.id, team.id, {}));
    expect(err).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    expect((await admin.client.getUserThreads(alice.user.id, team.id, {})).total).toBeGreaterThan(0);
    const root = await post(alice.client, pub.id, 'not bob’s to follow for alice');
    for (const call of [
      () => bob.client.updateThreadFollowForUser(alice.user.id, team.id, root.id, false),
      () => bob.client.updateThreadReadForUser(alice.user.id, team.id, root.id, Date.now()),
      () => bob.client.updateThreadsReadForUser(alice.user.id, team.id),
    ]) {
      expect(await expectClientError(call)).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    }
  });

  it('refuses a thread in a channel the caller cannot read, and a team they are not on', async () => {
    const root = await post(alice.client, priv.id, 'private, not for dave');
    for (const call of [
      () => dave.client.updateThreadFollowForUser(dave.user.id, team.id, root.id, true),
      () => dave.client.getUserThread(dave.user.id, team.id, root.id),
      () => dave.client.updateThreadReadForUser(dave.user.id, team.id, root.id, Date.now()),
      () => dave.client.markThreadAsUnreadForUser(dave.user.id, team.id, root.id, root.id),
    ]) {
      expect(await expectClientError(call)).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    }
    expect(await expectClientError(() => carol.client.getUserThreads(carol.user.id, team.id, {}))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => carol.client.updateThreadsReadForUser(carol.user.id, team.id))).toMatchObject({ status_code: 403 });
  });

  it('answers bad parameters with Mattermost’s 400s', async () => {
    const url = `${server.url}/api/v4/users/me/teams/${team.id}/threads`;
    const get = async (path: string, method = 'GET') =>
      fetch(`${url}${path}`, { method, headers: { Authorization: `Bearer ${alice.client.getToken()}` } }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    expect(await get('?before=a&after=b')).toMatchObject({ status: 400, body: { id: 'api.getThreadsForUser.bad_params' } });
    expect(await get('?totalsOnly=true&threadsOnly=true')).toMatchObject({ status: 400, body: { id: 'api.getThreadsForUser.bad_only_params' } });
    // SetInvalidParam, whose id says body even for a query parameter.
    expect(await get('?since=yesterday')).toMatchObject({ status: 400, body: { id: 'api.context.invalid_body_param.app_error' } });
    expect(await get('/nope')).toMatchObject({ status: 400, body: { id: 'api.context.invalid_url_param.app_error' } });
    const root = await post(alice.client, pub.id, 'timestamps');
    expect(await get(`/${root.id}/read/0`, 'PUT')).toMatchObject({ status: 400, body: { id: 'api.context.invalid_url_param.app_error' } });
    expect(await get(`/${root.id}/read/soon`, 'PUT')).toMatchObject({ status: 404 });
    expect(await get(`/${'x'.repeat(26)}/following`, 'PUT')).toMatchObject({ status: 403 });
  });
});
