import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post, PostList } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import pg from 'pg';
import { databaseUrl, expectClientError, NewUser, sleep, TestServer, TestSocket } from '#testing';
import { ChannelSuite, PERMISSION, post, startChannelSuite, stopChannelSuite } from './fixtures.js';

let suite: ChannelSuite;
let server: TestServer;
// The cast of fixtures.ts: alice owns the team, bob is in every channel, dave in none, carol not on the team.
let admin: NewUser, alice: NewUser, bob: NewUser, dave: NewUser, carol: NewUser;
let team: Team, pub: Channel, priv: Channel, dm: Channel;
let bobSocket: TestSocket, daveSocket: TestSocket, carolSocket: TestSocket;

beforeAll(async () => {
  suite = await startChannelSuite({
    team: { name: `team-p${Date.now()}`, display_name: 'Posts' },
    pub: { name: 'general-talk', display_name: 'General Talk' },
    priv: { name: 'secret-room', display_name: 'Secret Room' },
  });
  ({ server, admin, alice, bob, dave, carol, team, pub, priv, dm } = suite);
  [bobSocket, daveSocket, carolSocket] = suite.sockets;
});
afterAll(() => stopChannelSuite(suite));

/** A plain HTTP call with the client's token (for headers Client4 hides). */
function raw(c: Client4, path: string, init: RequestInit = {}) {
  return fetch(`${server.url}/api/v4${path}`, { ...init, headers: { Authorization: `Bearer ${c.getToken()}`, ...(init.headers ?? {}) } });
}

describe('creating posts', () => {
  it('returns 201 with the Mattermost post shape, hashtags and the pending id', async () => {
    const res = await raw(alice.client, '/posts', {
      method: 'POST',
      body: JSON.stringify({ channel_id: pub.id, message: 'hello #release (#v2)', pending_post_id: `${alice.user.id}:123`, user_id: bob.user.id }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Post;
    expect(created).toMatchObject({
      channel_id: pub.id,
      user_id: alice.user.id,
      message: 'hello #release (#v2)',
      hashtags: '#release #v2',
      pending_post_id: `${alice.user.id}:123`,
      root_id: '',
      original_id: '',
      type: '',
      edit_at: 0,
      delete_at: 0,
      is_pinned: false,
      reply_count: 0,
      props: {},
      file_ids: [],
      participants: null,
      metadata: {},
    });
    expect(created.id).toMatch(/^[a-z0-9]{26}$/);
    expect(created.update_at).toBeGreaterThanOrEqual(created.create_at);
    // the pending id is not stored
    expect((await alice.client.getPost(created.id)).pending_post_id).toBe('');
  });

  it('answers a retried pending_post_id with the post it already created', async () => {
    const pending = `${alice.user.id}:${Date.now()}`;
    const first = await post(alice.client, pub.id, 'only once', { pending_post_id: pending });
    const again = await post(alice.client, pub.id, 'only once', { pending_post_id: pending });
    expect(again.id).toBe(first.id);
  });

  it('honours create_at only for system admins', async () => {
    const old = Date.now() - 86_400_000;
    const mine = await post(alice.client, pub.id, 'backdated?', { create_at: old });
    expect(mine.create_at).toBeGreaterThan(old + 1000);
    const imported = await post(admin.client, pub.id, 'imported', { create_at: old });
    expect(imported.create_at).toBe(old);
  });

  it('publishes "posted" to members with post as a JSON string, and not to others', async () => {
    const created = await post(alice.client, priv.id, `secret hello @${bob.user.username}`);
    const event = await bobSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === created.id);
    expect(typeof event.data.post).toBe('string');
    expect(JSON.parse(event.data.post)).toMatchObject({ id: created.id, message: created.message, channel_id: priv.id });
    expect(event.data).toMatchObject({
      channel_type: 'P',
      channel_name: 'secret-room',
      channel_display_name: 'Secret Room',
      sender_name: `@${alice.user.username}`,
      team_id: team.id,
      set_online: true,
    });
    expect(JSON.parse(event.data.mentions)).toEqual([bob.user.id]);
    expect(event.broadcast.channel_id).toBe(priv.id);
    await daveSocket.expectNone('posted', (e) => JSON.parse(e.data.post).id === created.id, 300);
    await carolSocket.expectNone('posted', (e) => JSON.parse(e.data.post).id === created.id, 0);
  });

  it('names the sender as channel in DM events and omits mentions when nobody else is mentioned', async () => {
    const created = await post(alice.client, dm.id, 'direct words', { pending_post_id: 'p1' } as Partial<Post>);
    const event = await bobSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === created.id);
    expect(event.data).toMatchObject({ channel_type: 'D', channel_display_name: `@${alice.user.username}`, team_id: '' });
    expect(JSON.parse(event.data.post).pending_post_id).toBe('p1');
    expect(JSON.parse(event.data.mentions)).toEqual([bob.user.id]);

    const quiet = await post(alice.client, pub.id, 'nobody in particular');
    const quietEvent = await bobSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === quiet.id);
    expect('mentions' in quietEvent.data).toBe(false);
    await carolSocket.expectNone('posted', undefined, 0);
  });

  it('refuses bad input with 400 and Mattermost error ids', async () => {
    const long = await expectClientError(() => post(alice.client, pub.id, 'x'.repeat(16384)));
    expect(long).toMatchObject({ status_code: 400, server_error_id: 'model.post.is_valid.msg.app_error' });
    expect((await post(alice.client, pub.id, 'é'.repeat(16383))).message).toHaveLength(16383);

    const badChannel = await expectClientError(() => post(alice.client, 'nope', 'x'));
    expect(badChannel.status_code).toBe(400);
    const noRoot = await expectClientError(() => post(alice.client, pub.id, 'x', { root_id: 'a'.repeat(26) }));
    expect(noRoot).toMatchObject({ status_code: 400, server_error_id: 'api.post.create_post.root_id.app_error' });
    const otherChannelRoot = await post(alice.client, priv.id, 'root elsewhere');
    const wrongChannel = await expectClientError(() => post(alice.client, pub.id, 'x', { root_id: otherChannelRoot.id }));
    expect(wrongChannel).toMatchObject({ status_code: 400, server_error_id: 'api.post.create_post.channel_root_id.app_error' });
    const root = await post(alice.client, pub.id, 'a root');
    const reply = await post(alice.client, pub.id, 'a reply', { root_id: root.id });
    const nested = await expectClientError(() => post(alice.client, pub.id, 'reply to reply', { root_id: reply.id }));
    expect(nested).toMatchObject({ status_code: 400, server_error_id: 'api.post.create_post.root_id.app_error' });
    const system = await expectClientError(() => post(alice.client, pub.id, 'x', { type: 'system_join_channel' } as Partial<Post>));
    expect(system.status_code).toBe(400);

    const wrongType = await raw(alice.client, '/posts', { method: 'POST', body: JSON.stringify({ channel_id: pub.id, message: 5 }) });
    expect(wrongType.status).toBe(400);
    expect((await wrongType.json()).id).toBe('api.context.invalid_body_param.app_error');
    const notJson = await raw(alice.client, '/posts', { method: 'POST', body: '{"channel_id":' });
    expect(notJson.status).toBe(400);
    const array = await raw(alice.client, '/posts', { method: 'POST', body: '[]' });
    expect(array.status).toBe(400);
  });

  it('refuses non-members with 403: private channel, DM, public channel not joined, other team', async () => {
    for (const [who, channel] of [
      [dave, priv],
      [dave, dm],
      [carol, dm],
      [dave, pub],
      [carol, pub],
    ] as const) {
      const err = await expectClientError(() => post(who.client, channel.id, 'let me in'));
      expect(err).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    }
    const unknown = await expectClientError(() => post(bob.client, 'z'.repeat(26), 'anyone?'));
    expect(unknown.status_code).toBe(403);
  });

  it('requires a session', async () => {
    const err = await expectClientError(() => server.client().createPost({ channel_id: pub.id, message: 'anon' } as Post));
    expect(err.status_code).toBe(401);
  });
});

describe('counters and mentions', () => {
  it('moves the channel counters and marks the channel read for the poster', async () => {
    const before = await alice.client.getChannel(pub.id);
    const created = await post(alice.client, pub.id, 'counting');
    const after = await alice.client.getChannel(pub.id);
    expect(after.total_msg_count).toBe(before.total_msg_count + 1);
    expect(after.last_post_at).toBe(created.create_at);
    const mine = await alice.client.getMyChannelMember(pub.id);
    expect(mine.msg_count).toBe(after.total_msg_count);
    expect(mine.last_viewed_at).toBeGreaterThanOrEqual(created.create_at);
    expect(mine.mention_count).toBe(0);
  });

  it('counts @username, @channel and DM messages as mentions of the others', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `counts-${Date.now()}`, display_name: 'Counts', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, channel.id);
    await alice.client.addToChannel(dave.user.id, channel.id);
    const mentions = async (u: NewUser, id = channel.id) => (await u.client.getMyChannelMember(id)).mention_count;

    await post(alice.client, channel.id, `hi @${bob.user.username}.`);
    expect(await mentions(bob)).toBe(1);
    expect(await mentions(dave)).toBe(0);

    const root = await post(alice.client, channel.id, 'everyone @channel');
    expect(await mentions(bob)).toBe(2);
    expect(await mentions(dave)).toBe(1);
    expect(await mentions(alice)).toBe(0);
    expect((await bob.client.getMyChannelMember(channel.id)).mention_count_root).toBe(2);

    await post(alice.client, channel.id, `reply for @${dave.user.username}`, { root_id: root.id });
    const daveMember = await dave.client.getMyChannelMember(channel.id);
    expect(daveMember.mention_count).toBe(2);
    expect(daveMember.mention_count_root).toBe(1);

    const dmBefore = await mentions(bob, dm.id);
    await post(alice.client, dm.id, 'no mention needed');
    expect(await mentions(bob, dm.id)).toBe(dmBefore + 1);
    expect(await mentions(alice, dm.id)).toBe(0);

    // mentions inside code do not count
    await post(alice.client, channel.id, `\`@${bob.user.username}\``);
    expect(await mentions(bob)).toBe(2);
  });

  it('@here reaches members who are online only', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `here-${Date.now()}`, display_name: 'Here', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, channel.id);
    await alice.client.addToChannel(dave.user.id, channel.id);
    await bob.client.updateStatus({ user_id: bob.user.id, status: 'online' } as any);
    await dave.client.updateStatus({ user_id: dave.user.id, status: 'offline' } as any);
    const created = await post(alice.client, channel.id, 'anyone @here?');
    const event = await bobSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === created.id);
    expect(JSON.parse(event.data.mentions)).toEqual([bob.user.id]);
    expect((await bob.client.getMyChannelMember(channel.id)).mention_count).toBe(1);
    expect((await dave.client.getMyChannelMember(channel.id)).mention_count).toBe(0);
    await dave.client.updateStatus({ user_id: dave.user.id, status: 'online' } as any);
  });

  it('in a group message every other member is notified; the event names every member', async () => {
    const gm = await alice.client.createGroupChannel([alice.user.id, bob.user.id, dave.user.id]);
    const created = await post(alice.client, gm.id, 'group hello');
    const event = await bobSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === created.id);
    expect(event.data.channel_type).toBe('G');
    expect(event.data.channel_display_name).toBe(
      [alice, bob, dave]
        .map((u) => u.user.username)
        .sort()
        .join(', '),
    );
    expect(JSON.parse(event.data.mentions).sort()).toEqual([bob.user.id, dave.user.id].sort());
    await daveSocket.waitFor('posted', (e) => JSON.parse(e.data.post).id === created.id);
    await carolSocket.expectNone('posted', (e) => JSON.parse(e.data.post).id === created.id, 0);
    expect((await dave.client.getMyChannelMember(gm.id)).mention_count).toBe(1);
  });

  it('keeps a thread: reply counts on root and replies, root update_at moves', async () => {
    const root = await post(alice.client, pub.id, 'thread root');
    await sleep(5);
    const r1 = await post(bob.client, pub.id, 'first reply', { root_id: root.id });
    expect(r1.reply_count).toBe(1);
    const r2 = await post(alice.client, pub.id, 'second reply', { root_id: root.id });
    expect(r2.reply_count).toBe(2);
    const fresh = await alice.client.getPost(root.id);
    expect(fresh.reply_count).toBe(2);
    expect(fresh.last_reply_at).toBe(r2.create_at);
    expect(fresh.update_at).toBeGreaterThanOrEqual(r2.create_at);
  });
});

describe('reading posts', () => {
  it('gets a post, 404 for unknown, 403 for non-members, 400 for a bad id', async () => {
    const created = await post(alice.client, priv.id, 'readable');
    expect((await bob.client.getPost(created.id)).message).toBe('readable');
    expect(await expectClientError(() => dave.client.getPost(created.id))).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    expect(await expectClientError(() => bob.client.getPost('q'.repeat(26)))).toMatchObject({ status_code: 404, server_error_id: 'app.post.get.app_error' });
    expect(await expectClientError(() => bob.client.getPost('short'))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.context.invalid_url_param.app_error',
    });
  });

  it('lets team members read public channels they have not joined', async () => {
    const created = await post(alice.client, pub.id, 'open to the team');
    expect((await dave.client.getPost(created.id)).id).toBe(created.id);
    expect((await dave.client.getPosts(pub.id)).order).toContain(created.id);
    expect((await expectClientError(() => carol.client.getPost(created.id))).status_code).toBe(403);
  });

  it('gets posts by ids, skipping what the caller may not read', async () => {
    const a = await post(alice.client, pub.id, 'by id a');
    const b = await post(alice.client, priv.id, 'by id b');
    const forBob = await bob.client.getPostsByIds([a.id, b.id, 'w'.repeat(26)]);
    expect(forBob.map((p) => p.id).sort()).toEqual([a.id, b.id].sort());
    const forDave = await dave.client.getPostsByIds([a.id, b.id]);
    expect(forDave.map((p) => p.id)).toEqual([a.id]);
    expect((await expectClientError(() => bob.client.getPostsByIds(['w'.repeat(26)]))).status_code).toBe(404);
    expect((await expectClientError(() => bob.client.getPostsByIds(['bad']))).status_code).toBe(400);
  });

  it('pages a channel newest first, with cursors and the threads of replies on the page', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `paging-${Date.now()}`, display_name: 'Paging', type: 'O' } as Channel);
    const made: Post[] = [];
    for (let i = 0; i < 5; i++) {
      made.push(await post(alice.client, channel.id, `p${i}`));
      await sleep(2);
    }
    const reply = await post(alice.client, channel.id, 'reply to p0', { root_id: made[0].id });

    const first = await alice.client.getPosts(channel.id, 0, 2);
    expect(first.order).toEqual([reply.id, made[4].id]);
    // the reply's root and its whole thread come along, outside `order`
    expect(Object.keys(first.posts).sort()).toEqual([reply.id, made[4].id, made[0].id].sort());
    expect(first).toMatchObject({ next_post_id: '', prev_post_id: made[3].id, first_inaccessible_post_time: 0 });
    expect((first as any).has_next).toBe(true);

    const second = await alice.client.getPosts(channel.id, 1, 2);
    expect(second.order).toEqual([made[3].id, made[2].id]);
    expect(second).toMatchObject({ next_post_id: made[4].id, prev_post_id: made[1].id });

    const skip = await raw(alice.client, `/channels/${channel.id}/posts?page=0&per_page=2&skipFetchThreads=true`);
    expect(Object.keys(((await skip.json()) as PostList).posts)).toHaveLength(3);

    const before = await alice.client.getPostsBefore(channel.id, made[3].id, 0, 2);
    expect(before.order).toEqual([made[2].id, made[1].id]);
    expect(before).toMatchObject({ next_post_id: made[3].id, prev_post_id: made[0].id });

    const after = await alice.client.getPostsAfter(channel.id, made[1].id, 0, 2);
    expect(after.order).toEqual([made[3].id, made[2].id]);
    expect(after).toMatchObject({ prev_post_id: made[1].id, next_post_id: made[4].id });

    const collapsed = await raw(alice.client, `/channels/${channel.id}/posts?collapsedThreads=true&per_page=10`);
    const collapsedList = (await collapsed.json()) as PostList;
    expect(collapsedList.order).toEqual([...made].reverse().map((p) => p.id));
    expect(collapsedList.posts[made[0].id].reply_count).toBe(1);
    expect(collapsedList.posts[made[0].id].participants).toEqual([{ id: alice.user.id }]);
  });

  it('brings the threads a window touches along with it: around an anchor, the unread window and the pages beyond', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `context-${Date.now()}`, display_name: 'Context', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, channel.id);
    const seq: Post[] = [];
    const add = async (message: string, rootId?: string) => {
      seq.push(await post(alice.client, channel.id, message, rootId ? { root_id: rootId } : {}));
      await sleep(2);
      return seq[seq.length - 1];
    };
    const root = await add('root');
    const a = await add('a');
    const b = await add('b');
    await bob.client.viewMyChannel(channel.id);
    await sleep(5);
    const reply1 = await add('reply 1', root.id);
    const c = await add('c');
    const reply2 = await add('reply 2', root.id);
    const keys = (list: PostList) => Object.keys(list.posts).sort();
    const ids = (...posts: Post[]) => posts.map((p) => p.id).sort();

    // A reply on the window: its root and the whole thread come along, outside `order`.
    const beforeC = await alice.client.getPostsBefore(channel.id, c.id, 0, 2);
    expect(beforeC.order).toEqual([reply1.id, b.id]);
    expect(keys(beforeC)).toEqual(ids(reply1, b, root, reply2));
    const skip = (await (await raw(alice.client, `/channels/${channel.id}/posts?before=${c.id}&per_page=2&skipFetchThreads=true`)).json()) as PostList;
    expect(keys(skip)).toEqual(ids(reply1, b, root));
    const collapsed = (await (await raw(alice.client, `/channels/${channel.id}/posts?before=${c.id}&per_page=2&collapsedThreads=true`)).json()) as PostList;
    expect(collapsed.order).toEqual([b.id, a.id]);
    expect(keys(collapsed)).toEqual(ids(b, a));
    // Around an anchor, a root on the window brings its replies too (getPostsAround).
    const beforeB = await alice.client.getPostsBefore(channel.id, b.id, 0, 2);
    expect(beforeB.order).toEqual([a.id, root.id]);
    expect(keys(beforeB)).toEqual(ids(a, root, reply1, reply2));
    expect(beforeB).toMatchObject({ next_post_id: b.id, prev_post_id: '' });
    // A page beyond the first: the cursors are the posts beyond the window, not the anchor.
    const second = await alice.client.getPostsBefore(channel.id, reply2.id, 1, 2);
    expect(second.order).toEqual([b.id, a.id]);
    expect(second).toMatchObject({ next_post_id: reply1.id, prev_post_id: root.id });
    // An anchor of another channel lists nothing.
    const elsewhere = await post(alice.client, pub.id, 'elsewhere');
    const foreign = await alice.client.getPostsBefore(channel.id, elsewhere.id, 0, 2);
    expect(foreign.order).toEqual([]);
    expect(Object.keys(foreign.posts)).toEqual([]);

    // The unread window: the first unread post (a reply) brings its thread, whatever the window holds.
    const unread = await bob.client.getPostsUnread(channel.id, bob.user.id, 1, 1);
    expect(unread.order).toEqual([reply1.id, b.id]);
    expect(keys(unread)).toEqual(ids(reply1, b, root, reply2));
    expect({ next: unread.next_post_id, prev: unread.prev_post_id }).toEqual({ next: c.id, prev: a.id });
    const wide = await bob.client.getPostsUnread(channel.id, bob.user.id, 3, 1);
    expect(wide.order).toEqual([reply2.id, c.id, reply1.id, b.id]);
    expect(keys(wide)).toEqual(ids(reply2, c, reply1, b, root));
  });

  it('returns changes since a time, including edits and deletions', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `since-${Date.now()}`, display_name: 'Since', type: 'O' } as Channel);
    const old = await post(alice.client, channel.id, 'old one');
    const toEdit = await post(alice.client, channel.id, 'will change');
    const toDelete = await post(alice.client, channel.id, 'will go');
    await sleep(5);
    const mark = Date.now();
    await sleep(5);
    await alice.client.patchPost({ id: toEdit.id, message: 'changed' } as Post);
    await alice.client.deletePost(toDelete.id);
    const added = await post(alice.client, channel.id, 'new one');
    const since = await alice.client.getPostsSince(channel.id, mark);
    expect(since.order.sort()).toEqual([toEdit.id, toDelete.id, added.id].sort());
    expect(since.posts[toDelete.id].delete_at).toBeGreaterThan(0);
    expect(since.posts[toEdit.id].message).toBe('changed');
    expect(since.posts[old.id]).toBeUndefined();
    expect((await raw(alice.client, `/channels/${channel.id}/posts?since=abc`)).status).toBe(400);
  });

  it('refuses channel lists to non-members and unknown channels, include_deleted to non-admins', async () => {
    expect(await expectClientError(() => dave.client.getPosts(priv.id))).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    expect(await expectClientError(() => carol.client.getPosts(dm.id))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => bob.client.getPosts('m'.repeat(26)))).toMatchObject({
      status_code: 404,
      server_error_id: 'app.channel.get.existing.app_error',
    });
    const res = await raw(bob.client, `/channels/${pub.id}/posts?include_deleted=true`);
    expect(res.status).toBe(403);
    expect((await raw(admin.client, `/channels/${pub.id}/posts?include_deleted=true`)).status).toBe(200);
    expect((await raw(bob.client, `/channels/${pub.id}/posts?before=bad`)).status).toBe(400);
  });

  it('sends an ETag and answers If-None-Match with 304 until something changes', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `etag-${Date.now()}`, display_name: 'ETag', type: 'O' } as Channel);
    const p = await post(alice.client, channel.id, 'etag me');
    const path = `/channels/${channel.id}/posts?page=0&per_page=60`;
    const first = await raw(alice.client, path);
    const etag = first.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const cached = await raw(alice.client, path, { headers: { 'If-None-Match': etag } });
    expect(cached.status).toBe(304);

    const changes: Array<() => Promise<unknown>> = [
      () => post(alice.client, channel.id, 'another'),
      () => alice.client.patchPost({ id: p.id, message: 'edited' } as Post),
      () => alice.client.addReaction(alice.user.id, p.id, 'smile'),
      () => alice.client.pinPost(p.id),
      () => alice.client.deletePost(p.id),
    ];
    let current = etag;
    // no pauses: changes within the same millisecond must still move the ETag
    for (const change of changes) {
      await change();
      const res = await raw(alice.client, path, { headers: { 'If-None-Match': current } });
      expect(res.status).toBe(200);
      const next = res.headers.get('etag')!;
      expect(next).not.toBe(current);
      current = next;
      // Without If-None-Match the page reads its ETag with its rows: the same one.
      expect((await raw(alice.client, path)).headers.get('etag')).toBe(current);
    }
    const single = await raw(alice.client, `/posts/${(await post(alice.client, channel.id, 'single')).id}`);
    expect(single.headers.get('etag')).toBeTruthy();
    expect(
      (await raw(alice.client, new URL(single.url).pathname.replace('/api/v4', ''), { headers: { 'If-None-Match': single.headers.get('etag')! } })).status,
    ).toBe(304);
  });

  it('gets a thread: the requested post first, then the thread oldest first', async () => {
    const root = await post(alice.client, pub.id, 'thread start');
    const replies: Post[] = [];
    for (let i = 0; i < 3; i++) {
      await sleep(2);
      replies.push(await post(i % 2 ? alice.client : bob.client, pub.id, `reply ${i}`, { root_id: root.id }));
    }
    const thread = await bob.client.getPostThread(root.id);
    expect(thread.order).toEqual([root.id, ...replies.map((r) => r.id)]);
    expect(Object.values(thread.posts).every((p) => p.reply_count === 3)).toBe(true);
    const fromReply = await bob.client.getPostThread(replies[1].id);
    expect(fromReply.order[0]).toBe(replies[1].id);
    expect(Object.keys(fromReply.posts).sort()).toEqual([root.id, ...replies.map((r) => r.id)].sort());
    const paged = await raw(bob.client, `/posts/${root.id}/thread?perPage=2&direction=down`);
    const pagedList = (await paged.json()) as PostList & { has_next: boolean };
    expect(pagedList.order).toEqual([root.id, replies[0].id]);
    expect(pagedList.has_next).toBe(true);
    expect(await expectClientError(() => dave.client.getPostThread('q'.repeat(26)))).toMatchObject({ status_code: 404 });
    const secret = await post(alice.client, priv.id, 'secret thread');
    expect(await expectClientError(() => dave.client.getPostThread(secret.id))).toMatchObject({ status_code: 403 });
    expect((await raw(bob.client, `/posts/${root.id}/thread?direction=sideways`)).status).toBe(400);
  });

  it('returns the window around the first unread post', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `unread-${Date.now()}`, display_name: 'Unread', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, channel.id);
    const readFirst = await post(alice.client, channel.id, 'read long ago');
    await sleep(2);
    const read = await post(alice.client, channel.id, 'already read');
    await bob.client.viewMyChannel(channel.id);
    await sleep(5);
    const unread: Post[] = [];
    for (let i = 0; i < 3; i++) {
      unread.push(await post(alice.client, channel.id, `unread ${i}`));
      await sleep(2);
    }
    // Two after (the first unread and one more), one before: the cursors name the posts beyond both ends.
    const list = await bob.client.getPostsUnread(channel.id, bob.user.id, 2, 1);
    expect(list.order).toEqual([unread[1].id, unread[0].id, read.id]);
    expect({ next: list.next_post_id, prev: list.prev_post_id }).toEqual({ next: unread[2].id, prev: readFirst.id });
    // Only the first unread post after it (no window of newer posts), none before.
    const edge = await bob.client.getPostsUnread(channel.id, bob.user.id, 1, 0);
    expect(edge.order).toEqual([unread[0].id]);
    expect({ next: edge.next_post_id, prev: edge.prev_post_id }).toEqual({ next: unread[1].id, prev: read.id });

    const everything = await bob.client.getPostsUnread(channel.id, bob.user.id, 10, 10);
    expect(everything.order).toEqual(
      [...unread]
        .reverse()
        .map((p) => p.id)
        .concat(read.id, readFirst.id),
    );
    expect({ next: everything.next_post_id, prev: everything.prev_post_id }).toEqual({ next: '', prev: '' });

    // Not a member (asked by an admin, who may read anyone's): 404. A member who joined after every
    // post has nothing unread: the latest page.
    expect(await expectClientError(() => admin.client.getPostsUnread(channel.id, dave.user.id))).toMatchObject({ status_code: 404 });
    await alice.client.addToChannel(dave.user.id, channel.id);
    const joined = await dave.client.getPostsUnread(channel.id, dave.user.id, 2, 2);
    expect(joined.order).toEqual([unread[2].id, unread[1].id]);
    expect(joined.prev_post_id).toBe(unread[0].id);

    expect(await expectClientError(() => alice.client.getPostsUnread(channel.id, bob.user.id))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => dave.client.getPostsUnread(priv.id, dave.user.id))).toMatchObject({ status_code: 403 });
    const zero = await raw(bob.client, `/users/me/channels/${channel.id}/posts/unread?limit_after=0`);
    expect(zero.status).toBe(400);
  });

  it('with collapsed threads, lists the unread roots with their participants; with nothing unread, the latest page and its ETag', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `unread-crt-${Date.now()}`, display_name: 'Unread CRT', type: 'O' } as Channel);
    await alice.client.addToChannel(bob.user.id, channel.id);
    const read = await post(alice.client, channel.id, 'read');
    await bob.client.viewMyChannel(channel.id);
    await sleep(5);
    const root = await post(alice.client, channel.id, 'unread root');
    await sleep(2);
    await post(bob.client, channel.id, 'reply by bob', { root_id: root.id });
    await sleep(2);
    const lone = await post(alice.client, channel.id, 'unread, no replies');

    const collapsed = await raw(bob.client, `/users/me/channels/${channel.id}/posts/unread?limit_before=5&limit_after=5&collapsedThreads=true`);
    const list = (await collapsed.json()) as PostList;
    expect(list.order).toEqual([lone.id, root.id, read.id]);
    expect(list.posts[root.id]).toMatchObject({ reply_count: 1, participants: [{ id: bob.user.id }], is_following: true });
    expect(list.posts[lone.id].participants).toEqual([]);
    const extended = await raw(bob.client, `/users/me/channels/${channel.id}/posts/unread?limit_after=5&collapsedThreads=true&collapsedThreadsExtended=true`);
    expect(((await extended.json()) as PostList).posts[root.id].participants).toEqual([
      expect.objectContaining({ id: bob.user.id, username: bob.user.username }),
    ]);

    // Read to the end: the latest page (limit_before posts), which carries an ETag; asked with it, 304.
    await bob.client.viewMyChannel(channel.id);
    const latest = await raw(bob.client, `/users/me/channels/${channel.id}/posts/unread?limit_before=2&limit_after=5&collapsedThreads=true`);
    expect(((await latest.json()) as PostList).order).toEqual([lone.id, root.id]);
    const etag = latest.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await raw(bob.client, `/users/me/channels/${channel.id}/posts/unread?limit_before=2&limit_after=5&collapsedThreads=true`, {
      headers: { 'If-None-Match': etag! },
    });
    expect(again.status).toBe(304);
    await post(alice.client, channel.id, 'newer');
    await bob.client.viewMyChannel(channel.id);
    const moved = await raw(bob.client, `/users/me/channels/${channel.id}/posts/unread?limit_before=2&limit_after=5&collapsedThreads=true`, {
      headers: { 'If-None-Match': etag! },
    });
    expect(moved.status).toBe(200);
  });
});

describe('editing posts', () => {
  it('updates a post fully, setting edit_at, and publishes post_edited', async () => {
    const created = await post(alice.client, pub.id, 'first draft');
    await sleep(2);
    const updated = await alice.client.updatePost({ ...created, message: 'final #copy' });
    expect(updated).toMatchObject({ id: created.id, message: 'final #copy', hashtags: '#copy' });
    expect(updated.edit_at).toBeGreaterThan(created.create_at);
    expect(updated.update_at).toBe(updated.edit_at); // both the moment of the edit
    const event = await bobSocket.waitFor('post_edited', (e) => JSON.parse(e.data.post).id === created.id);
    expect(typeof event.data.post).toBe('string');
    expect(JSON.parse(event.data.post).message).toBe('final #copy');
    expect(event.broadcast.channel_id).toBe(pub.id);
    await carolSocket.expectNone('post_edited', undefined, 0);
  });

  it('patches only the given fields', async () => {
    const created = await post(alice.client, pub.id, 'patch me', { props: { custom: 'x' } });
    const patched = await alice.client.patchPost({ id: created.id, message: 'patched' } as Post);
    expect(patched).toMatchObject({ message: 'patched', props: { custom: 'x' }, is_pinned: false });
  });

  it("refuses editing others' posts without edit_others_posts, allows it for admins", async () => {
    const created = await post(alice.client, pub.id, 'alice wrote this');
    for (const who of [bob, dave, carol]) {
      expect(await expectClientError(() => who.client.patchPost({ id: created.id, message: 'hijack' } as Post))).toMatchObject({
        status_code: 403,
        server_error_id: PERMISSION,
      });
    }
    expect(await expectClientError(() => bob.client.updatePost({ ...created, message: 'hijack' }))).toMatchObject({ status_code: 403 });
    expect((await admin.client.patchPost({ id: created.id, message: 'moderated' } as Post)).message).toBe('moderated');
  });

  it('does not return a private post to a team admin outside the channel: PATCH gets the 403 GET gets, and changes nothing', async () => {
    // bob's own private channel, without alice, who administers the team.
    const hidden = await bob.client.createChannel({ team_id: team.id, name: `bobs-${Date.now()}`, display_name: 'Bobs', type: 'P' } as Channel);
    const secret = await post(bob.client, hidden.id, 'for my eyes only');
    expect(await expectClientError(() => alice.client.getPost(secret.id))).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    for (const body of [{}, { is_pinned: false }, { message: 'admin was here' }]) {
      const res = await raw(alice.client, `/posts/${secret.id}/patch`, { method: 'PUT', body: JSON.stringify(body) });
      expect(res.status).toBe(403);
      const text = await res.text();
      expect(text).not.toContain('for my eyes only');
      expect(JSON.parse(text)).toMatchObject({ id: PERMISSION, status_code: 403 });
    }
    expect(await expectClientError(() => alice.client.updatePost({ ...secret, message: 'admin was here' }))).toMatchObject({ status_code: 403 });
    const after = await bob.client.getPost(secret.id);
    expect(after).toMatchObject({ message: 'for my eyes only', update_at: secret.update_at, is_pinned: false });
  });

  it('refuses a body id that differs from the URL, and unknown posts', async () => {
    const created = await post(alice.client, pub.id, 'ids');
    const res = await raw(alice.client, `/posts/${created.id}`, { method: 'PUT', body: JSON.stringify({ id: 'x'.repeat(26), message: 'y' }) });
    expect(res.status).toBe(400);
    expect(await expectClientError(() => alice.client.patchPost({ id: 'u'.repeat(26), message: 'y' } as Post))).toMatchObject({ status_code: 403 });
    const badType = await raw(alice.client, `/posts/${created.id}/patch`, { method: 'PUT', body: JSON.stringify({ is_pinned: 'yes' }) });
    expect(badType.status).toBe(400);
  });

  it('pins and unpins, lists pinned posts, and publishes post_edited', async () => {
    const created = await post(alice.client, pub.id, 'pin me');
    expect(await bob.client.pinPost(created.id)).toEqual({ status: 'OK' });
    const event = await bobSocket.waitFor('post_edited', (e) => JSON.parse(e.data.post).id === created.id && JSON.parse(e.data.post).is_pinned);
    expect(JSON.parse(event.data.post).edit_at).toBe(0);
    const pinned = await bob.client.getPinnedPosts(pub.id);
    expect(pinned.order).toContain(created.id);
    expect(await bob.client.unpinPost(created.id)).toEqual({ status: 'OK' });
    expect((await bob.client.getPinnedPosts(pub.id)).order).not.toContain(created.id);

    const secret = await post(alice.client, priv.id, 'secret pin');
    expect(await expectClientError(() => dave.client.pinPost(secret.id))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => dave.client.getPinnedPosts(priv.id))).toMatchObject({ status_code: 403 });
  });

  it('refuses pins from team members outside a public channel, as it refuses their reactions and posts', async () => {
    const created = await post(alice.client, pub.id, 'members pin');
    // dave is on the team and reads the public channel, but is not in it.
    expect((await dave.client.getPost(created.id)).message).toBe('members pin');
    for (const attempt of [
      () => dave.client.pinPost(created.id),
      () => dave.client.addReaction(dave.user.id, created.id, 'smile'),
      () => post(dave.client, pub.id, 'let me in'),
    ]) {
      expect(await expectClientError(attempt)).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    }
    await bob.client.pinPost(created.id);
    expect(await expectClientError(() => dave.client.unpinPost(created.id))).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    expect((await alice.client.getPost(created.id)).is_pinned).toBe(true);
    // A system admin pins anywhere.
    expect(await admin.client.unpinPost(created.id)).toEqual({ status: 'OK' });
  });
});

describe('deleting posts', () => {
  it('soft-deletes a root with its replies and publishes post_deleted', async () => {
    const root = await post(alice.client, pub.id, 'doomed root');
    const reply = await post(bob.client, pub.id, 'doomed reply', { root_id: root.id });
    expect(await alice.client.deletePost(root.id)).toEqual({ status: 'OK' });
    const event = await bobSocket.waitFor('post_deleted', (e) => JSON.parse(e.data.post).id === root.id);
    expect(typeof event.data.post).toBe('string');
    expect(JSON.parse(event.data.post).delete_at).toBeGreaterThan(0);
    await carolSocket.expectNone('post_deleted', undefined, 0);
    for (const id of [root.id, reply.id]) {
      expect(await expectClientError(() => bob.client.getPost(id))).toMatchObject({ status_code: 404 });
    }
    expect((await admin.client.getPost(reply.id, true)).delete_at).toBeGreaterThan(0);
    expect(await expectClientError(() => bob.client.getPost(root.id, true))).toMatchObject({ status_code: 403 });
    expect((await bob.client.getPosts(pub.id)).order).not.toContain(root.id);
  });

  it('deleting a reply updates the thread count', async () => {
    const root = await post(alice.client, pub.id, 'counted root');
    const r1 = await post(bob.client, pub.id, 'r1', { root_id: root.id });
    await post(alice.client, pub.id, 'r2', { root_id: root.id });
    await bob.client.deletePost(r1.id);
    expect((await alice.client.getPost(root.id)).reply_count).toBe(1);
  });

  it("refuses deleting others' posts without delete_others_posts; 404 for unknown", async () => {
    const created = await post(alice.client, pub.id, 'keep me');
    for (const who of [bob, dave, carol]) {
      expect(await expectClientError(() => who.client.deletePost(created.id))).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    }
    const mine = await post(bob.client, pub.id, 'bob wrote');
    // alice created the team, so as team admin she may delete others' posts
    expect(await alice.client.deletePost(mine.id)).toEqual({ status: 'OK' });
    expect(await expectClientError(() => alice.client.deletePost('d'.repeat(26)))).toMatchObject({
      status_code: 404,
      server_error_id: 'app.post.get.app_error',
    });
  });
});

describe('archived channels', () => {
  it('refuses new posts and edits in an archived channel', async () => {
    const channel = await alice.client.createChannel({ team_id: team.id, name: `archive-${Date.now()}`, display_name: 'Archive', type: 'O' } as Channel);
    const created = await post(alice.client, channel.id, 'before archiving');
    await alice.client.deleteChannel(channel.id);
    expect(await expectClientError(() => post(alice.client, channel.id, 'after'))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.post.create_post.can_not_post_to_deleted.error',
    });
    expect(await expectClientError(() => alice.client.patchPost({ id: created.id, message: 'x' } as Post))).toMatchObject({ status_code: 400 });
    // still readable (ExperimentalViewArchivedChannels)
    expect((await alice.client.getPost(created.id)).id).toBe(created.id);
  });
});

describe('deleting channels and teams for good', () => {
  /** A thread with a reaction in a new channel of `teamId`. */
  async function threadIn(teamId: string) {
    const channel = await alice.client.createChannel({ team_id: teamId, name: `gone-${Date.now()}`, display_name: 'Gone', type: 'O' } as Channel);
    const root = await post(alice.client, channel.id, 'a root that goes');
    const reply = await post(alice.client, channel.id, 'a reply that goes', { root_id: root.id });
    await alice.client.addReaction(alice.user.id, root.id, 'wave');
    return { channel, ids: [root.id, reply.id] };
  }

  /** Rows left in posts, reactions and threads for these posts. */
  async function rowsOf(postIds: string[]): Promise<number[]> {
    const db = new pg.Client({ connectionString: databaseUrl(server.database) });
    await db.connect();
    try {
      const counts = [];
      for (const [table, column] of [
        ['posts', 'id'],
        ['reactions', 'post_id'],
        ['threads', 'post_id'],
      ]) {
        counts.push((await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = ANY($1)`, [postIds])).rows[0].n);
      }
      return counts;
    } finally {
      await db.end();
    }
  }

  async function withSettings(settings: Record<string, boolean>, fn: () => Promise<void>) {
    await admin.client.patchConfig({ ServiceSettings: settings } as any);
    try {
      await fn();
    } finally {
      await admin.client.patchConfig({ ServiceSettings: Object.fromEntries(Object.keys(settings).map((k) => [k, false])) } as any);
    }
  }

  it('a channel takes its posts, replies, reactions and threads with it, and only its own', async () => {
    const gone = await threadIn(team.id);
    const kept = await threadIn(team.id);
    expect(await rowsOf(gone.ids)).toEqual([2, 1, 1]);
    await withSettings({ EnableAPIChannelDeletion: true }, async () => {
      expect((await raw(alice.client, `/channels/${gone.channel.id}?permanent=true`, { method: 'DELETE' })).status).toBe(200);
    });
    expect(await rowsOf(gone.ids)).toEqual([0, 0, 0]);
    expect(await rowsOf(kept.ids)).toEqual([2, 1, 1]);
    expect(await expectClientError(() => admin.client.getPost(gone.ids[0], true))).toMatchObject({ status_code: 404 });
  });

  it('a team takes the posts of all its channels with it', async () => {
    const doomed = await alice.client.createTeam({ name: `gone-team-${Date.now()}`, display_name: 'Gone Team', type: 'O' } as Team);
    const [first, second] = [await threadIn(doomed.id), await threadIn(doomed.id)];
    const kept = await threadIn(team.id);
    await withSettings({ EnableAPITeamDeletion: true }, async () => {
      expect((await raw(alice.client, `/teams/${doomed.id}?permanent=true`, { method: 'DELETE' })).status).toBe(200);
    });
    expect(await rowsOf([...first.ids, ...second.ids])).toEqual([0, 0, 0]);
    expect(await rowsOf(kept.ids)).toEqual([2, 1, 1]);
  });
});
