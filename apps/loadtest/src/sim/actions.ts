/**
 * The simulated user's actions, named and weighted as load-test-ng's SimulController
 * (simulcontroller/actions.go), each making the requests Mattermost's web app makes for it.
 * Requests to routes this server lacks are skipped by SimUser.api (and listed in the report);
 * actions that only consist of such requests still take their turn, so the mix stays Mattermost's.
 */
import { composeMessage, permalinkUrl, postSearchTerms } from '../model/messages.js';
import { pick, sample } from '#testing';
import type { ChannelInfo, PostInfo } from './store.js';
import type { SimUser } from './user.js';

type Action = (u: SimUser) => Promise<void>;

const REACTION_EMOJIS = ['+1', 'tada', 'point_up', 'raised_hands'];
const THREAD_PAGE = 25;

const isTeamChannel = (c: ChannelInfo) => c.type === 'O' || c.type === 'P';
const isDirectOrGroup = (c: ChannelInfo) => c.type === 'D' || c.type === 'G';

function currentChannel(u: SimUser): ChannelInfo | undefined {
  return u.store.channels.get(u.store.currentChannelId);
}

function currentTeamName(u: SimUser): string {
  return u.store.teams.get(u.store.currentTeamId)?.name ?? '';
}

/** EmulateUserTyping: the term typed one character at a time, `fn` called for each prefix until it says it found it. */
async function emulateTyping(u: SimUser, term: string, fn: (prefix: string) => Promise<boolean>, from = 1): Promise<void> {
  for (let i = Math.max(1, from); i <= term.length; i++) {
    if (await fn(term.slice(0, i))) return;
    if (i < term.length) await u.pause(u.randomPauseMs(u.config.typingKeystrokeMs));
  }
}

/** A mention as typed: the username autocompleted in the channel until one user matches. */
async function emulateMention(u: SimUser, ch: ChannelInfo, username: string): Promise<void> {
  const cutoff = Math.min(username.length, 2 + Math.floor(Math.random() * Math.max(1, username.length / 2)));
  await emulateTyping(u, username.slice(0, cutoff), async (prefix) => {
    const res = await u.api('GET /users/autocomplete', () => u.client.autocompleteUsers(prefix, ch.team_id || u.store.currentTeamId, ch.id, { limit: 100 }));
    return (res?.users?.length ?? 0) + (res?.out_of_channel?.length ?? 0) === 1;
  });
}

async function createMessage(u: SimUser, ch: ChannelInfo, isReply: boolean): Promise<string> {
  const c = u.config;
  let mention: string | undefined;
  if (Math.random() < c.percentMentions) {
    mention = u.store.randomUser()?.username;
    if (mention) await emulateMention(u, ch, mention);
  }
  let permalink: string | undefined;
  if (Math.random() < c.percentPermalinks) {
    const anyPost = pick([...u.store.posts.values()].flat());
    if (anyPost) permalink = permalinkUrl(u.settings.url, currentTeamName(u), anyPost.id);
  }
  return composeMessage({ isReply, mention, link: Math.random() < c.percentLinks, permalink }, { post: c.avgWordsPerPost, reply: c.avgWordsPerReply });
}

/** createPost: typing event (when the channel is small enough), then a post or a reply. */
/** CreatePost; with `priority`, a root post asking for acknowledgements or persistent notifications (CreateAckPost, CreatePersistentNotificationPost). */
async function createPost(
  u: SimUser,
  priority?: { priority: 'important' | 'urgent'; requested_ack?: boolean; persistent_notifications?: boolean },
): Promise<void> {
  const ch = currentChannel(u);
  if (!ch) return;
  const typingOn = u.clientConfig.EnableUserTypingMessages !== 'false';
  const maxNotifications = Number(u.clientConfig.MaxNotificationsPerChannel ?? 1000);
  if (typingOn && (ch.member_count ?? 0) < maxNotifications) u.ws?.userTyping(ch.id, '');
  const isReply = !priority && Math.random() < u.config.percentReplies;
  let rootId = '';
  if (isReply) {
    const post = pick(u.store.channelPosts(ch.id));
    if (!post) return;
    rootId = post.root_id || post.id;
  }
  const message = await createMessage(u, ch, isReply);
  const created = await u.api('POST /posts', () =>
    u.client.createPost({
      channel_id: ch.id,
      message,
      root_id: rootId,
      pending_post_id: `${u.store.userId}:${Date.now()}`,
      ...(priority ? { metadata: { priority } } : {}),
    } as never),
  );
  if (created) u.store.addPosts(ch.id, [created as never]);
}

/** AckToPost: acknowledge a post of someone else's in the current channel that asks for it. */
async function ackToPost(u: SimUser): Promise<void> {
  const post = pick(u.store.channelPosts(u.store.currentChannelId).filter((p) => p.ackRequested && p.user_id !== u.store.userId));
  if (!post) return;
  await u.api('POST /users/{id}/posts/{id}/ack', () => u.client.acknowledgePost(post.id, u.store.userId));
}

async function scrollChannel(u: SimUser): Promise<void> {
  const ch = currentChannel(u);
  if (!ch) return;
  const posts = u.store.channelPosts(ch.id);
  if (posts.length === 0) return;
  let oldest = posts[0].id;
  const scrolls = 1 + Math.floor(Math.random() * 5);
  for (let i = 0; i < scrolls; i++) {
    const list = await u.api('GET /channels/{id}/posts', () => u.client.getPostsBefore(ch.id, oldest, 0, u.config.postsPerPage, true, u.crt));
    const page = list ? Object.values(list.posts) : [];
    if (page.length === 0) return;
    u.store.addPosts(ch.id, page as never);
    await u.fetchPostsInfo(page);
    oldest = page.reduce((a, b) => (b.create_at < a.create_at ? b : a)).id;
    await u.pause(u.randomPauseMs(u.config.scrollPauseMs));
  }
}

async function openDirectOrGroupChannel(u: SimUser): Promise<void> {
  const ch = u.store.randomChannel(u.store.currentTeamId, (c) => isDirectOrGroup(c) && c.id !== u.store.currentChannelId);
  if (ch) await u.viewChannel(ch);
}

/** unreadCheck: what the web app refetches when its tab gets the focus back. */
async function unreadCheck(u: SimUser): Promise<void> {
  const teamId = u.store.currentTeamId;
  const ch = currentChannel(u);
  if (!teamId || !ch) return;
  const channels = await u.api('GET /users/{id}/teams/{id}/channels', () => u.client.getMyChannels(teamId, true));
  u.store.setChannels((channels ?? []) as ChannelInfo[]);
  await u.api('GET /users/{id}/teams/{id}/channels/members', () => u.client.getMyChannelMembers(teamId));
  await u.api('POST /channels/members/{id}/view', () => u.client.viewMyChannel(ch.id));
}

type ThreadsPage = { threads: Array<{ id: string; post: { channel_id: string; create_at: number } }> } | undefined;

async function userThreads(u: SimUser, opts: { unread?: boolean; before?: string; threadsOnly?: boolean }): Promise<ThreadsPage> {
  const teamId = u.store.currentTeamId;
  return (await u.api('GET /users/{id}/teams/{id}/threads', () =>
    u.client.getUserThreads(u.store.userId, teamId, {
      perPage: THREAD_PAGE,
      extended: false,
      deleted: false,
      unread: opts.unread ?? false,
      since: 0,
      totalsOnly: false,
      threadsOnly: opts.threadsOnly ?? true,
      before: opts.before,
    }),
  )) as ThreadsPage;
}

/** ViewGlobalThreads: "All your threads", scrolled 1–3 times, then the "Unread" tab, scrolled too. */
async function viewGlobalThreads(u: SimUser): Promise<void> {
  if (!u.crt || !u.store.currentTeamId) return;
  for (const unread of [false, true]) {
    let page = await userThreads(u, { unread });
    let last = page?.threads?.at(-1)?.id;
    const scrolls = 1 + Math.floor(Math.random() * 3);
    for (let i = 0; i < scrolls && last; i++) {
      page = await userThreads(u, { unread, before: last });
      last = page?.threads?.at(-1)?.id;
      if (last) await u.pause(u.randomPauseMs(u.config.scrollPauseMs));
    }
  }
}

/** A thread the user knows of, or one from its thread list. */
async function someThread(u: SimUser, threadsOnly = true): Promise<{ id: string; channel_id: string; create_at: number } | undefined> {
  const known = pick([...u.store.threads.entries()]);
  if (known) return { id: known[0], ...known[1] };
  const page = await userThreads(u, { threadsOnly });
  const t = page?.threads?.[0];
  return t ? { id: t.id, channel_id: t.post.channel_id, create_at: t.post.create_at } : undefined;
}

/** ViewThread: the thread's first page, then 1–3 more pages while there are any. */
async function viewThread(u: SimUser): Promise<void> {
  if (!u.crt) return;
  const thread = await someThread(u);
  if (!thread) return;
  u.lookAt({ threadChannelId: thread.channel_id });
  let page = await u.api('GET /posts/{id}/thread', () =>
    u.client.getPaginatedPostThread(thread.id, { collapsedThreads: true, direction: 'down', perPage: THREAD_PAGE }),
  );
  const scrolls = 1 + Math.floor(Math.random() * 3);
  for (let i = 0; i < scrolls && page?.has_next; i++) {
    const lastId = page.order.at(-1)!;
    const last = page.posts[lastId];
    await u.pause(u.randomPauseMs(u.config.scrollPauseMs));
    page = await u.api('GET /posts/{id}/thread', () =>
      u.client.getPaginatedPostThread(thread.id, {
        collapsedThreads: true,
        direction: 'down',
        perPage: THREAD_PAGE,
        fromPost: lastId,
        fromCreateAt: last?.create_at ?? thread.create_at,
      } as never),
    );
  }
}

async function channelOf(u: SimUser, channelId: string): Promise<ChannelInfo | undefined> {
  const known = u.store.channels.get(channelId);
  if (known) return known;
  const ch = (await u.api('GET /channels/{id}', () => u.client.getChannel(channelId))) as ChannelInfo | undefined;
  if (ch) u.store.channels.set(ch.id, { id: ch.id, team_id: ch.team_id, type: ch.type, name: ch.name, total_msg_count: ch.total_msg_count });
  return ch;
}

/** UpdateThreadRead: a thread marked read at its root's time. */
async function updateThreadRead(u: SimUser): Promise<void> {
  if (!u.crt) return;
  const thread = await someThread(u, false);
  if (!thread) return;
  const ch = await channelOf(u, thread.channel_id);
  if (!ch) return;
  await u.api('PUT /users/{id}/teams/{id}/threads/{id}/read/{n}', () =>
    u.client.updateThreadReadForUser(u.store.userId, ch.team_id || u.store.currentTeamId, thread.id, thread.create_at || Date.now()),
  );
}

async function followThread(u: SimUser, follow: boolean): Promise<void> {
  if (!u.crt) return;
  const thread = await someThread(u, false);
  if (!thread) return;
  const ch = await channelOf(u, thread.channel_id);
  await u.api('PUT /users/{id}/teams/{id}/threads/{id}/following', () =>
    follow
      ? u.client.updateThreadFollowForUser(u.store.userId, ch?.team_id || u.store.currentTeamId, thread.id, true)
      : u.client.updateThreadFollowForUser(u.store.userId, ch?.team_id || u.store.currentTeamId, thread.id, false),
  );
}

/** ClickPermalink: a permalink in the current channel opens its thread and switches to its channel. */
async function clickPermalink(u: SimUser): Promise<void> {
  const posts = u.store.channelPosts(u.store.currentChannelId);
  const postId = [...posts].reverse().find((p) => p.permalink)?.permalink;
  if (!postId) return;
  const thread = await u.api('GET /posts/{id}/thread', () =>
    u.client.getPaginatedPostThread(postId, { collapsedThreads: u.crt, direction: 'down', perPage: THREAD_PAGE }),
  );
  const first = thread?.order?.[0] ? thread.posts[thread.order[0]] : undefined;
  if (!first) return;
  const ch = await channelOf(u, first.channel_id);
  if (!ch) return;
  if (!u.store.memberOf.has(ch.id)) {
    try {
      await u.api('GET /channels/{id}/members/{id}', () => u.client.getChannelMember(ch.id, u.store.userId));
      u.store.memberOf.add(ch.id);
    } catch (err: any) {
      if (err?.status_code !== 403 && err?.status_code !== 404) throw err;
      if (ch.type === 'P') return;
      await u.api('POST /channels/{id}/members', () => u.client.addToChannel(u.store.userId, ch.id));
      u.store.memberOf.add(ch.id);
    }
  }
  const teamId = u.store.currentTeamId;
  const channels = await u.api('GET /users/{id}/teams/{id}/channels', () => u.client.getMyChannels(teamId, false));
  u.store.setChannels((channels ?? []) as ChannelInfo[]);
  await u.api('GET /users/{id}/teams/{id}/channels/members', () => u.client.getMyChannelMembers(teamId));
  await u.viewChannel(ch);
  u.store.currentChannelId = ch.id;
}

/** ReconnectWebSocket: the socket drops and resumes, then the web app's catch-up requests. */
async function reconnectWebSocket(u: SimUser): Promise<void> {
  u.connect();
  const teamId = u.store.currentTeamId;
  if (teamId) {
    const channels = await u.api('GET /users/{id}/teams/{id}/channels', () => u.client.getMyChannels(teamId, false));
    u.store.setChannels((channels ?? []) as ChannelInfo[]);
    await u.api('GET /users/{id}/teams/{id}/channels/members', () => u.client.getMyChannelMembers(teamId));
    const chId = u.store.currentChannelId;
    const posts = u.store.channelPosts(chId);
    if (chId && posts.length) {
      const list = await u.api('GET /channels/{id}/posts', () => u.client.getPostsSince(chId, posts[posts.length - 1].create_at, true, u.crt));
      if (list) u.store.addPosts(chId, Object.values(list.posts) as never);
      const ids = new Set(posts.map((p) => p.user_id));
      for (const id of u.store.directUsers.values()) ids.add(id);
      await u.api('POST /users/status/ids', () => u.client.getStatusesByIds([...ids]));
    }
    await u.api('GET /users/{id}/teams/unread', () => u.client.getMyTeamUnreads(u.crt));
  }
  await u.api('GET /plugins/webapp', () => u.client.getWebappPlugins());
  const known = [...u.store.users.keys()];
  if (known.length) await u.api('POST /users/ids', () => u.client.getProfilesByIds(known, { since: Date.now() } as never));
}

async function addReaction(u: SimUser): Promise<void> {
  const post = pick(u.store.channelPosts(u.store.currentChannelId));
  if (!post) return;
  const emoji = pick(REACTION_EMOJIS)!;
  const key = `${post.id}:${emoji}`;
  if (u.store.reactions.has(key)) return;
  await u.api('POST /reactions', () => u.client.addReaction(u.store.userId, post.id, emoji));
  u.store.reactions.add(key);
}

function myPost(u: SimUser): PostInfo | undefined {
  return pick(u.store.channelPosts(u.store.currentChannelId).filter((p) => p.user_id === u.store.userId));
}

async function editPost(u: SimUser): Promise<void> {
  const post = myPost(u);
  const ch = currentChannel(u);
  if (!post || !ch) return;
  const message = await createMessage(u, ch, post.root_id !== '');
  await u.api('PUT /posts/{id}/patch', () => u.client.patchPost({ id: post.id, message }));
}

async function deletePost(u: SimUser): Promise<void> {
  const post = myPost(u);
  if (!post) return;
  await u.api('DELETE /posts/{id}', () => u.client.deletePost(post.id));
  const list = u.store.posts.get(post.channel_id);
  if (list)
    u.store.posts.set(
      post.channel_id,
      list.filter((p) => p.id !== post.id),
    );
}

async function searchUsers(u: SimUser): Promise<void> {
  const user = u.store.randomUser();
  if (!user) return;
  await emulateTyping(u, user.username, async (term) => {
    const found = (await u.api('POST /users/search', () => u.client.searchUsers(term, { limit: 100 }))) ?? [];
    return found.length === 1;
  });
}

/** SearchPosts: optional from: and in: typed with autocompletion, then the search. */
async function searchPosts(u: SimUser): Promise<void> {
  const teamId = u.store.currentTeamId;
  if (!teamId) return;
  let from: string | undefined;
  let inChannel: string | undefined;
  if (Math.random() < 0.2) {
    from = u.store.randomUser()?.username;
    if (from) {
      await emulateTyping(u, from, async (term) => {
        const res = await u.api('GET /users/autocomplete', () => u.client.autocompleteUsers(term, teamId, '', { limit: 25 }));
        const users = res?.users ?? [];
        for (const x of users.slice(0, 5)) if (!u.store.pictures.has(x.id)) await u.profileImage(x.id);
        return users.length === 1;
      });
    }
  }
  if (Math.random() < 0.2) {
    inChannel = u.store.randomChannel(teamId, isTeamChannel)?.name;
    if (inChannel) {
      await emulateTyping(u, inChannel, async (term) => {
        const found = (await u.api('GET /teams/{id}/channels/search_autocomplete', () => u.client.autocompleteChannelsForSearch(teamId, term))) ?? [];
        return found.length === 1;
      });
    }
  }
  const terms = postSearchTerms({ from, in: inChannel });
  await u.api('POST /teams/{id}/posts/search', () =>
    u.client.searchPostsWithParams(teamId, { terms, is_or_search: false, time_zone_offset: 0, page: 0, per_page: 20, include_deleted_channels: false }),
  );
}

async function searchChannels(u: SimUser): Promise<void> {
  const teamId = u.store.currentTeamId;
  const ch = u.store.randomChannel(teamId, isTeamChannel);
  if (!ch) return;
  const typed = ch.name.slice(0, 1 + Math.floor(Math.random() * Math.min(4, ch.name.length)));
  await emulateTyping(u, typed, async (term) => {
    await u.api('POST /teams/{id}/channels/search', () => u.client.searchChannels(teamId, term));
    return false;
  });
}

async function searchGroupChannels(u: SimUser): Promise<void> {
  const user = u.store.randomUser();
  if (!user) return;
  const typed = user.username.slice(0, 1 + Math.floor(Math.random() * Math.min(4, user.username.length)));
  await emulateTyping(u, typed, async () => {
    await u.api('POST /channels/group/search', () => u.client.searchGroupChannels(user.username));
    return false;
  });
}

async function clickUserProfile(u: SimUser): Promise<void> {
  const ch = currentChannel(u);
  const post = ch && pick(u.store.channelPosts(ch.id));
  if (!ch || !post) return;
  await u.api('GET /channels/{id}/members/{id}', () => u.client.getChannelMember(ch.id, post.user_id));
  await u.api('GET /teams/{id}/members/{id}', () => u.client.getTeamMember(ch.team_id || u.store.currentTeamId, post.user_id));
}

async function joinChannel(u: SimUser): Promise<void> {
  const teamId = u.store.currentTeamId;
  const channels = ((await u.api('GET /teams/{id}/channels', () => u.client.getChannels(teamId, 0, 100))) ?? []) as ChannelInfo[];
  const ch = pick(channels.filter((c) => !u.store.memberOf.has(c.id)));
  if (!ch) return;
  await u.api('POST /channels/{id}/members', () => u.client.addToChannel(u.store.userId, ch.id));
  u.store.setChannels([ch]);
}

/** The users list the web app shows before a DM/GM is created, with their pictures. */
async function openUsersList(u: SimUser): Promise<void> {
  const users = (await u.api('GET /users', () => u.client.getProfiles(0, 100))) ?? [];
  for (const x of users) {
    u.store.rememberUser(x.id, x.username, x.last_picture_update ?? 0);
    if (!u.store.pictures.has(x.id)) {
      await u.profileImage(x.id);
      u.store.pictures.add(x.id);
    }
  }
}

async function createDirectChannel(u: SimUser): Promise<void> {
  await openUsersList(u);
  const other = u.store.randomUser();
  if (!other) return;
  const ch = (await u.api('POST /channels/direct', () => u.client.createDirectChannel([u.store.userId, other.id]))) as ChannelInfo | undefined;
  if (!ch) return;
  await u.api('GET /channels/{id}', () => u.client.getChannel(ch.id));
  await u.api('GET /channels/{id}/members/{id}', () => u.client.getChannelMember(ch.id, u.store.userId));
  u.store.setChannels([ch]);
  await u.viewChannel(u.store.channels.get(ch.id)!);
  const previous = u.store.currentChannelId;
  u.store.currentChannelId = ch.id;
  await createPost(u);
  u.store.currentChannelId = previous;
}

async function createGroupChannel(u: SimUser): Promise<void> {
  await openUsersList(u);
  const others = sample(
    [...u.store.users.keys()].filter((id) => id !== u.store.userId),
    2,
  );
  if (others.length < 2) return;
  const ch = (await u.api('POST /channels/group', () => u.client.createGroupChannel([u.store.userId, ...others]))) as ChannelInfo | undefined;
  if (!ch) return;
  u.store.setChannels([ch]);
  await u.viewChannel(u.store.channels.get(ch.id)!);
  const previous = u.store.currentChannelId;
  u.store.currentChannelId = ch.id;
  await createPost(u);
  u.store.currentChannelId = previous;
}

/** CreatePublic/PrivateChannel, then the "add members" dialog (and, for private ones, 1–4 members). */
async function createChannel(u: SimUser, type: 'O' | 'P'): Promise<void> {
  const teamId = pick([...u.store.teams.keys()]);
  if (!teamId) return;
  const name = `lt-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const ch = (await u.api('POST /channels', () => u.client.createChannel({ team_id: teamId, name, display_name: `Channel ${name}`, type }))) as
    ChannelInfo | undefined;
  if (!ch) return;
  u.store.setChannels([ch]);
  await u.api('GET /teams/{id}/stats', () => u.client.getTeamStats(teamId));
  const inChannel = (await u.api('GET /users', () => u.client.getProfilesInChannel(ch.id, 0, 50))) ?? [];
  const notIn = (await u.api('GET /users', () => u.client.getProfilesNotInChannel(teamId, ch.id, false, 0, 100))) ?? [];
  if (inChannel.length) await u.api('POST /users/status/ids', () => u.client.getStatusesByIds(inChannel.map((x) => x.id)));
  if (notIn.length) await u.api('POST /users/status/ids', () => u.client.getStatusesByIds(notIn.map((x) => x.id)));
  await u.api('POST /channels/members/{id}/view', () => u.client.viewMyChannel(ch.id));
  if (type === 'P') {
    for (const x of sample(notIn, 1 + Math.floor(Math.random() * 4))) {
      await u.api('POST /channels/{id}/members', () => u.client.addToChannel(x.id, ch.id));
    }
  }
}

async function fullReload(u: SimUser): Promise<void> {
  u.disconnect();
  const teamId = u.store.currentTeamId;
  const { userId, username } = u.store;
  const teams = new Map(u.store.teams);
  u.store.clear();
  Object.assign(u.store, { userId, username, teams, currentTeamId: teamId });
  u.connect();
  await u.reload();
}

async function logoutLogin(u: SimUser): Promise<void> {
  u.disconnect();
  await u.api('POST /users/logout', () => u.client.logout());
  u.store.clear();
  await u.loginOrSignUp();
  await u.reload();
}

async function createPostReminder(u: SimUser): Promise<void> {
  const post = pick(u.store.channelPosts(u.store.currentChannelId));
  if (!post) return;
  await u.api('POST /users/{id}/posts/{id}/reminder', () => u.client.addPostReminder(u.store.userId, post.id, Math.floor(Date.now() / 1000) + 600));
}

async function updateCustomStatus(u: SimUser): Promise<void> {
  const expires = new Date(Date.now() + 30 * 60_000).toISOString();
  await u.api('PUT /users/{id}/status/custom', () =>
    u.client.updateCustomStatus({
      emoji: pick(REACTION_EMOJIS)!,
      text: composeMessage({ isReply: true }, { post: 5, reply: 5 }),
      duration: 'thirty_minutes',
      expires_at: expires,
    } as never),
  );
}

async function removeCustomStatus(u: SimUser): Promise<void> {
  await u.api('DELETE /users/{id}/status/custom', () => u.client.unsetCustomStatus());
}

async function sidebarCategories(u: SimUser, create: boolean): Promise<void> {
  const teamId = u.store.currentTeamId;
  const cats = (await u.api('GET /users/{id}/teams/{id}/channels/categories', () => u.client.getChannelCategories(u.store.userId, teamId))) as
    { categories: Array<{ id: string; channel_ids: string[] }> } | undefined;
  if (create) {
    await u.api('POST /users/{id}/teams/{id}/channels/categories', () =>
      // Mattermost refuses a category whose user_id and team_id are not the route's (as the apps send them).
      u.client.createChannelCategory(u.store.userId, teamId, { user_id: u.store.userId, team_id: teamId, display_name: `category ${Date.now()}` }),
    );
    return;
  }
  const [a, b] = sample(cats?.categories ?? [], 2);
  if (!a || !b || a.channel_ids.length <= 1) return;
  const moved = pick(a.channel_ids)!;
  await u.api('PUT /users/{id}/teams/{id}/channels/categories', () =>
    u.client.updateChannelCategories(u.store.userId, teamId, [
      { ...a, channel_ids: a.channel_ids.filter((id) => id !== moved) },
      { ...b, channel_ids: [...b.channel_ids, moved] },
    ] as never),
  );
}

async function markAllThreadsRead(u: SimUser): Promise<void> {
  if (!u.crt || !u.store.currentTeamId) return;
  await u.api('PUT /users/{id}/teams/{id}/threads/read', () => u.client.updateThreadsReadForUser(u.store.userId, u.store.currentTeamId));
}

/** Actions of plugins (surveys) and admin reports this server does not offer. */
const notOffered =
  (route: string): Action =>
  async (u) => {
    u.collector.skip(route);
  };

export const ACTIONS = {
  SwitchChannel: (u: SimUser) => u.switchChannel(),
  ScrollChannel: scrollChannel,
  OpenDirectOrGroupChannel: openDirectOrGroupChannel,
  UnreadCheck: unreadCheck,
  CreatePost: (u: SimUser) => createPost(u),
  ViewGlobalThreads: viewGlobalThreads,
  UpdateThreadRead: updateThreadRead,
  ClickPermalink: clickPermalink,
  ViewThread: viewThread,
  ReconnectWebSocket: reconnectWebSocket,
  AddReaction: addReaction,
  EditPost: editPost,
  SearchUsers: searchUsers,
  ClickUserProfile: clickUserProfile,
  SearchPosts: searchPosts,
  SearchGroupChannels: searchGroupChannels,
  SearchChannels: searchChannels,
  CreateDirectChannel: createDirectChannel,
  UnfollowThread: (u: SimUser) => followThread(u, false),
  JoinChannel: joinChannel,
  DeletePost: deletePost,
  UpdateSidebarCategory: (u: SimUser) => sidebarCategories(u, false),
  CreateGroupChannel: createGroupChannel,
  UpdateCustomStatus: updateCustomStatus,
  RemoveCustomStatus: removeCustomStatus,
  FullReload: fullReload,
  LogoutLogin: logoutLogin,
  FollowThread: (u: SimUser) => followThread(u, true),
  CreatePostReminder: createPostReminder,
  CreatePrivateChannel: (u: SimUser) => createChannel(u, 'P'),
  SwitchTeam: (u: SimUser) => u.switchTeam(),
  CreatePublicChannel: (u: SimUser) => createChannel(u, 'O'),
  MarkAllThreadsInTeamAsRead: markAllThreadsRead,
  CreateSidebarCategory: (u: SimUser) => sidebarCategories(u, true),
  SubmitPartialResponse: notOffered('POST /plugins/com.mattermost.nps/api/v1/survey (plugin)'),
  SubmitCompleteResponse: notOffered('POST /plugins/com.mattermost.nps/api/v1/survey (plugin)'),
  ConnectSurveyAPI: notOffered('GET /plugins/com.mattermost.nps/api/v1/connected (plugin)'),
  CreateAckPost: (u: SimUser) => createPost(u, { priority: 'important', requested_ack: true }),
  AckToPost: ackToPost,
  CreatePersistentNotificationPost: (u: SimUser) => createPost(u, { priority: 'urgent', persistent_notifications: true }),
  GenerateUserReport: notOffered('GET /reports/users (admins only)'),
} satisfies Record<string, Action>;

export type ActionName = keyof typeof ACTIONS;
