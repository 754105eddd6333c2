import { describe, expect, it } from 'vitest';
import { CollapsedThreads } from './collapsed-threads.js';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { ChannelRow } from '../channels/channel.model.js';
import type { Session } from '../common/session.js';
import { ReadStateListeners } from '../membership/read-state-listeners.js';
import type { PostRow } from '../posts/post.model.js';
import type { PreferencesRepository } from '../preferences/preferences.repository.js';
import type { UsersRepository } from '../users/users.repository.js';
import { MemoryThreadMemberships, MemoryThreadPosts } from './in-memory-threads.js';
import { followCandidates, previousCounts, ThreadActivity } from './thread-activity.service.js';
import type { ThreadViews } from './thread-views.service.js';
import { participantsOf, toUserThreadView, UserThreadRow, UserThreadsQuery } from './thread.model.js';
import { ThreadsService } from './threads.service.js';

const QUERY: UserThreadsQuery = {
  pageSize: 30,
  extended: false,
  deleted: false,
  since: 0,
  before: '',
  after: '',
  unread: false,
  totalsOnly: false,
  threadsOnly: false,
};

/** Views without the users area: the root as {id}, participants as ids. */
function fakeViews(): ThreadViews {
  const one = async (row: UserThreadRow) => toUserThreadView(row, { id: row.post_id } as never, participantsOf(row.participants, null));
  return {
    many: async (rows: UserThreadRow[]) => Promise.all(rows.map(one)),
    one,
    post: async (row: PostRow) => ({ id: row.id }) as never,
    participantUsers: async (ids: string[]) => new Map(ids.map((id) => [id, { id, username: `name-${id}` }])),
  } as unknown as ThreadViews;
}

function setup() {
  const bed = new ChannelsTestbed();
  const team = bed.team();
  const person = (onTeam = true, roles = 'system_user') => {
    const p = bed.user(roles);
    if (onTeam) bed.joinTeam(team, p.user.id);
    return p;
  };
  const alice = person();
  const bob = person();
  const carol = person(); // on the team, in no channel
  const dave = person(false); // not on the team
  const admin = person(false, 'system_user system_admin');
  const pub = bed.channel(team, 'O');
  const priv = bed.channel(team, 'P');
  for (const c of [pub, priv]) for (const u of [alice, bob]) bed.joinChannel(c, u.user.id);

  const posts = new MemoryThreadPosts();
  posts.teamOf.set(pub.id, team);
  posts.teamOf.set(priv.id, team);
  const readable = (userId: string, channelId: string) =>
    bed.channelMembers.rows.has(`${channelId}:${userId}`) ||
    (bed.channels.rows.get(channelId)?.type === 'O' && [...bed.teamMembers.rows.values()].some((m) => m.user_id === userId && m.team_id === team));
  const memberships = new MemoryThreadMemberships(posts, readable);
  const users = {
    byId: async (id: string) => {
      const u = bed.users.rows.get(id);
      return u && { ...u, first_name: '', notify_props: {} };
    },
  } as unknown as UsersRepository;
  const prefs = new Map<string, string>();
  const preferences = {
    oneForUsers: async (ids: string[]) =>
      ids.filter((id) => prefs.has(id)).map((id) => ({ user_id: id, category: 'display_settings', name: 'collapsed_reply_threads', value: prefs.get(id)! })),
  } as unknown as PreferencesRepository;

  const service = new ThreadsService(
    memberships.asRepository(),
    fakeViews(),
    posts.asRepository(),
    bed.channels.asRepository(),
    users,
    bed.permissions,
    bed.publisher,
    new ReadStateListeners(),
  );
  const activity = new ThreadActivity(
    memberships.asRepository(),
    posts.asRepository(),
    fakeViews(),
    new CollapsedThreads(preferences, bed.configService),
    bed.configService,
    bed.publisher,
  );

  /** A reply as the posts area stores and announces it. */
  const reply = async (root: PostRow, by: { user: { id: string } }, mentioned: string[] = [], channel: ChannelRow = pub) => {
    const row = posts.reply(root, by.user.id, mentioned.map((id) => `@${bed.users.rows.get(id)?.username}`).join(' ') || 'reply');
    const input = { reply: row, root, channel, mentionedUserIds: mentioned };
    await activity.replyPosted(input, await activity.followReply(input));
    return row;
  };
  const list = (who: { user: { id: string }; session: Session }, q: Partial<UserThreadsQuery> = {}) =>
    service.list(who.session, who.user.id, team, { ...QUERY, ...q });
  return { bed, team, alice, bob, carol, dave, admin, pub, priv, posts, memberships, service, activity, reply, list, prefs, config: bed.config };
}

const flush = () => new Promise((ok) => setTimeout(ok, 0));

describe('ThreadsService permissions', () => {
  it('lists only one’s own threads unless edit_other_users, and only on a team one views', async () => {
    const { service, alice, bob, carol, dave, admin, team } = setup();
    await expect(service.list(bob.session, alice.user.id, team, QUERY)).rejects.toMatchObject({ statusCode: 403 });
    await expect(service.list(dave.session, dave.user.id, team, QUERY)).rejects.toMatchObject({ statusCode: 403 });
    await expect(service.list(carol.session, carol.user.id, team, QUERY)).resolves.toMatchObject({ total: 0 });
    await expect(service.list(admin.session, alice.user.id, team, QUERY)).resolves.toMatchObject({ total: 0 });
    await expect(service.markAllRead(bob.session, alice.user.id, team)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('needs read_channel_content on the thread’s channel for one-thread routes', async () => {
    const { service, posts, alice, carol, admin, priv, pub, team } = setup();
    const secret = posts.root(alice.user.id, priv.id);
    const open = posts.root(alice.user.id, pub.id);
    await expect(service.setFollowing(carol.session, carol.user.id, team, secret.id, true)).rejects.toMatchObject({ statusCode: 403 });
    // Reading a public channel through the team is not read_channel_content (SessionHasPermissionToChannelByPost).
    await expect(service.setFollowing(carol.session, carol.user.id, team, open.id, true)).rejects.toMatchObject({ statusCode: 403 });
    await expect(service.markRead(carol.session, carol.user.id, team, secret.id, 5)).rejects.toMatchObject({ statusCode: 403 });
    // A missing thread: 403 for everyone but the system admin, who learns it is missing.
    await expect(service.get(carol.session, carol.user.id, 'x'.repeat(26), false)).rejects.toMatchObject({ statusCode: 403 });
    await expect(service.get(admin.session, admin.user.id, 'x'.repeat(26), false)).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('automatic following', () => {
  it('makes the root author, the replier and the mentioned follow, with unread replies and mentions', async () => {
    const { posts, alice, bob, admin, reply, list, pub, bed } = setup();
    bed.joinChannel(pub, admin.user.id);
    const root = posts.root(alice.user.id, pub.id);
    await reply(root, bob, [admin.user.id]);
    expect((await list(alice)).threads[0]).toMatchObject({ id: root.id, unread_replies: 1, unread_mentions: 0, participants: [{ id: bob.user.id }] });
    expect((await list(bob)).threads[0]).toMatchObject({ unread_replies: 0, unread_mentions: 0 });
    expect(await list(alice)).toMatchObject({ total: 1, total_unread_threads: 1, total_unread_mentions: 0 });
  });

  it('leaves someone who unfollowed alone, unless the reply mentions them', async () => {
    const { posts, alice, bob, reply, list, service, team, pub } = setup();
    const root = posts.root(alice.user.id, pub.id);
    await reply(root, bob);
    await service.setFollowing(alice.session, alice.user.id, team, root.id, false);
    await reply(root, bob);
    expect((await list(alice)).total).toBe(0);
    await reply(root, bob, [alice.user.id]);
    expect((await list(alice)).threads[0]).toMatchObject({ id: root.id, unread_mentions: 1 });
  });

  it('does not make a webhook root’s author follow', () => {
    const candidates = followCandidates({
      reply: { id: 'r', user_id: 'poster', root_id: 'root' },
      root: { id: 'root', user_id: 'hook-owner', props: { from_webhook: 'true' } },
      channel: { id: 'c', team_id: 't' },
      mentionedUserIds: ['m', 'poster'],
    });
    expect(candidates).toEqual([
      { userId: 'poster', mentioned: false },
      { userId: 'm', mentioned: true },
    ]);
  });

  it('sends thread_updated to each follower with collapsed threads on, with the previous counts', async () => {
    const { posts, alice, bob, reply, pub, bed, team } = setup();
    const root = posts.root(alice.user.id, pub.id);
    await reply(root, bob);
    await reply(root, bob, [alice.user.id]);
    await flush();
    const updates = bed.events.filter((e) => e.event === 'thread_updated');
    const forAlice = updates.filter((e) => e.broadcast.user_id === alice.user.id);
    expect(forAlice).toHaveLength(2);
    expect(forAlice[0].broadcast.team_id).toBe(team);
    expect(forAlice[0].data).toMatchObject({ previous_unread_mentions: 0, previous_unread_replies: 0 });
    expect(forAlice[1].data).toMatchObject({ previous_unread_mentions: 0, previous_unread_replies: 1 });
    expect(JSON.parse(forAlice[1].data.thread as string)).toMatchObject({ id: root.id, unread_replies: 2, unread_mentions: 1, reply_count: 2 });
    const forBob = updates.filter((e) => e.broadcast.user_id === bob.user.id);
    expect(JSON.parse(forBob[1].data.thread as string)).toMatchObject({ unread_replies: 0, unread_mentions: 0 });
  });

  it('sends nothing to users with collapsed threads off, and nothing at all when disabled', async () => {
    const { posts, alice, bob, reply, pub, bed, prefs, config } = setup();
    config.ServiceSettings.CollapsedThreads = 'default_off';
    prefs.set(alice.user.id, 'on');
    const root = posts.root(alice.user.id, pub.id);
    await reply(root, bob);
    await flush();
    expect(bed.events.filter((e) => e.event === 'thread_updated').map((e) => e.broadcast.user_id)).toEqual([alice.user.id]);
    config.ServiceSettings.CollapsedThreads = 'disabled';
    await reply(root, bob);
    await flush();
    expect(bed.events.filter((e) => e.event === 'thread_updated')).toHaveLength(1);
  });

  it('reports previous counts as Mattermost does', () => {
    const f = { user_id: 'u', last_viewed: 0, unread_mentions: 2, unread_replies: 3 };
    expect(previousCounts(f, 'p', true, false, { newFollowers: [] })).toEqual({ mentions: 1, replies: 2 });
    expect(previousCounts(f, 'p', false, true, { newFollowers: ['u'] })).toEqual({ mentions: 0, replies: 0 });
    expect(previousCounts({ ...f, user_id: 'p' }, 'p', false, false, { newFollowers: [], posterBefore: { unread_mentions: 4, unread_replies: 5 } })).toEqual({
      mentions: 4,
      replies: 5,
    });
  });
});

describe('reading and following', () => {
  it('reads up to a time, marks unread from a post, and counts mentions from there on', async () => {
    const { posts, alice, bob, reply, service, team, pub, bed } = setup();
    const root = posts.root(bob.user.id, pub.id);
    const r1 = await reply(root, alice, [bob.user.id]);
    const r2 = await reply(root, alice);
    const read = await service.markRead(bob.session, bob.user.id, team, root.id, r2.create_at);
    expect(read).toMatchObject({ unread_replies: 0, unread_mentions: 0, last_viewed_at: r2.create_at });
    await flush();
    expect(bed.events.find((e) => e.event === 'thread_read_changed')?.data).toEqual({
      thread_id: root.id,
      timestamp: r2.create_at,
      unread_mentions: 0,
      unread_replies: 0,
      previous_unread_mentions: 1,
      previous_unread_replies: 2,
      channel_id: pub.id,
    });
    expect(await service.markUnread(bob.session, bob.user.id, team, root.id, r1.id)).toMatchObject({ unread_replies: 2, unread_mentions: 1 });
    const elsewhere = posts.root(bob.user.id, pub.id);
    await expect(service.markUnread(bob.session, bob.user.id, team, root.id, elsewhere.id)).rejects.toMatchObject({
      statusCode: 400,
      id: 'app.user.update_thread_read_for_user_by_post.app_error',
    });
  });

  it('follows with thread_follow_changed; following reads the thread; a thread one does not follow is 404', async () => {
    const { posts, alice, bob, reply, service, team, pub, bed } = setup();
    const root = posts.root(alice.user.id, pub.id);
    await reply(root, alice);
    await expect(service.get(bob.session, bob.user.id, root.id, false)).rejects.toMatchObject({ statusCode: 404 });
    await service.setFollowing(bob.session, bob.user.id, team, root.id, true);
    await flush();
    expect(bed.events.find((e) => e.event === 'thread_follow_changed')).toMatchObject({
      data: { thread_id: root.id, state: true, reply_count: 1 },
      broadcast: { user_id: bob.user.id, team_id: team },
    });
    expect(await service.get(bob.session, bob.user.id, root.id, false)).toMatchObject({ unread_replies: 0 });
    await service.setFollowing(bob.session, bob.user.id, team, root.id, false);
    await expect(service.get(bob.session, bob.user.id, root.id, false)).rejects.toMatchObject({
      statusCode: 404,
      id: 'app.user.get_threads_for_user.not_found',
    });
  });

  it('reads every thread of a team, and lists nothing of a channel the user left', async () => {
    const { posts, alice, bob, reply, service, team, priv, list, bed } = setup();
    const root = posts.root(alice.user.id, priv.id);
    await reply(root, alice, [bob.user.id], priv);
    expect((await list(bob)).total_unread_mentions).toBe(1);
    await service.markAllRead(bob.session, bob.user.id, team);
    expect(await list(bob)).toMatchObject({ total: 1, total_unread_threads: 0, total_unread_mentions: 0 });
    bed.channelMembers.rows.delete(`${priv.id}:${bob.user.id}`);
    expect(await list(bob)).toMatchObject({ total: 0, threads: [] });
  });

  it('answers totals only, threads only, and the legacy unread total', async () => {
    const { posts, alice, bob, reply, list, pub } = setup();
    for (let i = 0; i < 3; i++) await reply(posts.root(alice.user.id, pub.id), bob);
    expect(await list(alice, { totalsOnly: true })).toMatchObject({ total: 3, threads: [] });
    expect(await list(alice, { threadsOnly: true })).toMatchObject({ total: 0, total_unread_threads: 0 });
    expect((await list(alice, { threadsOnly: true, pageSize: 2 })).threads).toHaveLength(2);
    expect(await list(alice, { unread: true })).toMatchObject({ total: 3, total_unread_threads: 3 });
  });
});
