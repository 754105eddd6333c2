/**
 * The web app's own data layer as a client: mattermost-redux 11.9 (the actions, reducers and
 * selectors the web app is built on) drives a start-up as the web app does it on first load, then a
 * short working day. After each step its store must hold what the app would show. Every request it
 * makes is recorded; none of the start-up or day calls may meet a 404, 405 or 501.
 *
 * The web app's WebSocket handling lives in the app, not in mattermost-redux; where a step depends
 * on an event (a patched role), the test reads the event from a socket and dispatches what the
 * app's handler dispatches for it. REDUX_CALLS=1 prints every request and its status at the end.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { eventually, startServer, until, type NewUser, type TestServer, type TestSocket } from '#testing';

// mattermost-redux is CommonJS; load it as the web app's bundler would. Its data loaders time
// their batches with window.setTimeout and window.setInterval: the test process's timers, on a
// `window` that is an EventTarget, as a browser's is (Node fires no online/offline events on it).
(globalThis as any).window ??= Object.assign(new EventTarget(), { setTimeout, clearTimeout, setInterval, clearInterval });
const require = createRequire(import.meta.url);
const configureStore = require('mattermost-redux/store').default;
const { Client4 } = require('mattermost-redux/client');
const users = require('mattermost-redux/actions/users');
const teams = require('mattermost-redux/actions/teams');
const channels = require('mattermost-redux/actions/channels');
const categories = require('mattermost-redux/actions/channel_categories');
const posts = require('mattermost-redux/actions/posts');
const threads = require('mattermost-redux/actions/threads');
const roles = require('mattermost-redux/actions/roles');
const { RoleTypes } = require('mattermost-redux/action_types');
const roleSelectors = require('mattermost-redux/selectors/entities/roles');
const categorySelectors = require('mattermost-redux/selectors/entities/channel_categories');
const preferenceSelectors = require('mattermost-redux/selectors/entities/preferences');

interface Call {
  method: string;
  path: string;
  status: number;
}

/** Every request Client4 makes in this process (mattermost-redux's Client4 uses the global fetch). */
const calls: Call[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input: any, init?: any) => {
  const res = await realFetch(input, init);
  const url = new URL(typeof input === 'string' ? input : input.url);
  calls.push({ method: (init?.method ?? 'GET').toUpperCase(), path: url.pathname, status: res.status });
  return res;
};
/** The calls since `from` that the server did not know or could not answer. */
const unanswered = (from: number) => calls.slice(from).filter((c) => [404, 405, 501].includes(c.status));

let server: TestServer;
let admin: NewUser;
let alice: NewUser; // the app's user
let bob: NewUser; // a colleague, driven through @mattermost/client
let team: Team;
let dev: Channel;
let secret: Channel;
let dm: Channel;
let store: any;
let socket: TestSocket;
let bobOnline: TestSocket;

const state = () => store.getState();
const dispatch = async (action: unknown) => {
  const result = await store.dispatch(action);
  if (result?.error) throw new Error(`action failed: ${JSON.stringify(result.error)}`);
  return result?.data;
};
/** A post the server has (not a pending one) in the store. */
const savedPost = (match: (p: Post) => boolean) =>
  Object.values(state().entities.posts.posts as Record<string, Post>).find((p) => /^[a-z0-9]{26}$/.test(p.id) && match(p));
const categoryOf = (channelId: string) =>
  categorySelectors.getCategoryInTeamWithChannel(state(), team.id, channelId) as { type: string; display_name: string } | undefined;

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  alice = await server.newUser();
  bob = await server.newUser();
  team = await admin.client.createTeam({ name: 'redux-day', display_name: 'Redux day', type: 'O' } as Team);
  await admin.client.addToTeam(team.id, alice.user.id);
  await admin.client.addToTeam(team.id, bob.user.id);
  dev = await bob.client.createChannel({ team_id: team.id, name: 'dev', display_name: 'Dev', type: 'O' } as Channel);
  secret = await bob.client.createChannel({ team_id: team.id, name: 'secret', display_name: 'Secret', type: 'P' } as Channel);
  await bob.client.addToChannel(alice.user.id, dev.id);
  await bob.client.addToChannel(alice.user.id, secret.id);
  dm = await bob.client.createDirectChannel([bob.user.id, alice.user.id]);
  await bob.client.createPost({ channel_id: dev.id, message: 'good morning' } as Post);

  Client4.setUrl(server.url);
  store = configureStore({});
  socket = await server.socket(admin.client);
  bobOnline = await server.socket(bob.client); // bob has the app open: online
});
afterAll(async () => {
  if (process.env.REDUX_CALLS) console.log(calls.map((c) => `${c.status} ${c.method} ${c.path}`).join('\n'));
  socket?.close();
  bobOnline?.close();
  globalThis.fetch = realFetch;
  await server?.stop();
});

describe('start-up, as the web app does it on first load', () => {
  it('logs in, loads me, the team, its channels and members, categories, roles, threads and statuses', async () => {
    const from = calls.length;
    // The login page: Client4.login, then the root's loadConfigAndMe.
    await Client4.login(alice.user.username, alice.password);
    expect(await dispatch(users.loadMe())).toBe(true);
    expect(state().entities.users.currentUserId).toBe(alice.user.id);
    expect(state().entities.teams.myMembers[team.id]).toMatchObject({ team_id: team.id, user_id: alice.user.id });

    // The team route: select the team, then its channels and members, categories and threads.
    await dispatch(teams.selectTeam(team.id));
    await dispatch(channels.fetchChannelsAndMembers(team.id));
    await dispatch(categories.fetchMyCategories(team.id));
    await dispatch(threads.getThreadCounts(alice.user.id, team.id));
    await dispatch(threads.getThreadsForCurrentTeam({ unread: false }));
    await dispatch(users.getStatusesByIds([alice.user.id, bob.user.id]));
    await until(() => state().entities.roles.roles.channel_user, 5000, 'the roles of my memberships');

    const mine = state().entities.channels.myMembers;
    expect(Object.keys(mine)).toEqual(expect.arrayContaining([dev.id, secret.id, dm.id]));
    expect(categoryOf(dev.id)?.type).toBe('channels');
    expect(categoryOf(secret.id)?.type).toBe('channels');
    expect(categoryOf(dm.id)?.type).toBe('direct_messages');
    expect(state().entities.roles.roles.channel_user.permissions).toContain('create_post');
    expect(roleSelectors.haveIChannelPermission(state(), team.id, dev.id, 'create_post')).toBe(true);
    expect(preferenceSelectors.isCollapsedThreadsEnabled(state())).toBe(true);
    expect(state().entities.users.statuses[bob.user.id]).toBe('online');
    expect(unanswered(from)).toEqual([]);
  });
});

describe('a working day', () => {
  let root: Post;

  it('posts, and a colleague replies in the thread: the thread shows one unread reply', async () => {
    const from = calls.length;
    await dispatch(channels.selectChannel(dev.id));
    await dispatch(posts.createPost({ channel_id: dev.id, message: 'release today?', user_id: alice.user.id } as Post));
    // The store holds the pending post until the server's answer replaces it with the real one.
    root = await until(() => savedPost((p) => p.message === 'release today?'), 5000, 'the created post in the store');
    await bob.client.createPost({ channel_id: dev.id, root_id: root.id, message: `yes @${alice.user.username}` } as Post);

    await dispatch(threads.getThreadsForCurrentTeam({ unread: false }));
    const thread = state().entities.threads.threads[root.id];
    expect(thread).toMatchObject({ id: root.id, reply_count: 1, unread_replies: 1, unread_mentions: 1, is_following: true });
    expect(unanswered(from)).toEqual([]);
  });

  it('switches channels; the channel it left is read and the other unread counts come from the server', async () => {
    const from = calls.length;
    await bob.client.createPost({ channel_id: secret.id, message: `@${alice.user.username} have a look` } as Post);
    await dispatch(channels.fetchChannelsAndMembers(team.id));
    const member = state().entities.channels.myMembers[secret.id];
    // mattermost-redux keeps a channel's message totals apart from the channel (messageCounts).
    const counts = state().entities.channels.messageCounts[secret.id];
    expect(counts.root - member.msg_count_root).toBe(1);
    expect(member.mention_count_root).toBe(1);

    await dispatch(channels.selectChannel(secret.id));
    await dispatch(posts.getPosts(secret.id));
    await dispatch(channels.markChannelAsRead(secret.id, dev.id));
    await dispatch(channels.fetchChannelsAndMembers(team.id));
    expect(state().entities.channels.myMembers[secret.id].mention_count_root).toBe(0);
    expect(unanswered(from)).toEqual([]);
  });

  it('favourites a channel: it moves to Favorites', async () => {
    const from = calls.length;
    await dispatch(channels.favoriteChannel(dev.id));
    expect(categoryOf(dev.id)?.type).toBe('favorites');
    // What the server keeps is what another device loads.
    await eventually(async () => {
      const fresh = await alice.client.getChannelCategories(alice.user.id, team.id);
      expect(fresh.categories.find((c) => c.type === 'favorites')?.channel_ids).toContain(dev.id);
    }, 5000);
    expect(unanswered(from)).toEqual([]);
  });

  it('marks a post unread: the channel is unread again', async () => {
    const from = calls.length;
    const bobsPost = savedPost((p) => p.channel_id === secret.id && p.user_id === bob.user.id)!;
    await dispatch(posts.setUnreadPost(alice.user.id, bobsPost.id));
    const member = state().entities.channels.myMembers[secret.id];
    expect(member.last_viewed_at).toBeLessThan(bobsPost.create_at);
    const unread = await alice.client.getChannelMember(secret.id, alice.user.id);
    expect(unread.mention_count_root).toBe(1);
    expect(unanswered(from)).toEqual([]);
  });

  it('saves a post: it is in the saved list', async () => {
    const from = calls.length;
    await dispatch(posts.flagPost(root.id));
    // The app saves preferences optimistically and does not wait for the server.
    await eventually(async () => expect((await alice.client.getFlaggedPosts(alice.user.id)).order).toEqual([root.id]), 5000);
    expect(preferenceSelectors.get(state(), 'flagged_post', root.id, null)).toBe('true');
    expect(unanswered(from)).toEqual([]);
  });

  it('sets a custom status: the profile carries it', async () => {
    const from = calls.length;
    // The app sets the expiry of a status that lasts thirty minutes.
    const expires_at = new Date(Date.now() + 30 * 60_000).toISOString();
    await dispatch(users.setCustomStatus({ emoji: 'coffee', text: 'On a break', duration: 'thirty_minutes', expires_at }));
    await dispatch(users.getMe());
    const me = state().entities.users.profiles[alice.user.id];
    expect(JSON.parse(me.props.customStatus)).toMatchObject({ emoji: 'coffee', text: 'On a break', duration: 'thirty_minutes' });
    expect(unanswered(from)).toEqual([]);
  });

  it('loses create_post when channel_user is patched, and gets it back', async () => {
    const channelUser = await admin.client.getRoleByName('channel_user');
    const updated = (withCreatePost: boolean) =>
      socket
        .waitFor('role_updated', (m) => {
          const role = JSON.parse(m.data.role);
          return role.name === 'channel_user' && role.permissions.includes('create_post') === withCreatePost;
        })
        .then((m) => {
          // The web app's handler for role_updated.
          store.dispatch({ type: RoleTypes.RECEIVED_ROLE, data: JSON.parse(m.data.role) });
        });
    try {
      const event = updated(false);
      await admin.client.patchRole(channelUser.id, { permissions: channelUser.permissions.filter((p) => p !== 'create_post') });
      await event;
      expect(roleSelectors.haveIChannelPermission(state(), team.id, dev.id, 'create_post')).toBe(false);
      // The app hides the message box; the server refuses the post all the same.
      await expect(Client4.createPost({ channel_id: dev.id, message: 'denied' } as Post)).rejects.toMatchObject({ status_code: 403 });
    } finally {
      const event = updated(true);
      await admin.client.patchRole(channelUser.id, { permissions: channelUser.permissions });
      await event;
    }
    expect(roleSelectors.haveIChannelPermission(state(), team.id, dev.id, 'create_post')).toBe(true);
  });
});
