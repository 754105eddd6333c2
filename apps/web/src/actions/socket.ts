/**
 * The socket's events, turned into state. One handler per event name in SOCKET_EVENTS; a feature
 * that shows something live adds its handler there.
 *
 * Resuming: WebSocketClient reconnects with the connection_id and the sequence_number it got to,
 * and a server that still has the connection (this node, or another node of the cluster it moved
 * to) replays what was missed. When it cannot — the node died with it, or too much was missed —
 * the new `hello` carries a new connection_id and the client calls the missed-message listeners:
 * a gap. Then what the screen shows is fetched again (RESYNC: the open channel, the sidebar; a
 * feature with its own live data adds its refetch there), retried while the cluster settles, and
 * posts that arrive while the channel's page is on its way are kept (state/resync.ts). A reconnect
 * refetches too: it costs one request and covers a server that resumed less than it should.
 */
import type { WebSocketClient, WebSocketMessage } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import type { Post } from '@mattermost/types/posts';
import { isApiError } from '../api/errors';
import type { UserProfile } from '@mattermost/types/users';
import { createSocket, socketUrl } from '../api/socket';
import { receivedJob } from '../state/console-jobs';
import { receivedPost } from '../state/posts';
import { currentChannel, currentTeam } from '../state/selectors';
import { store, update } from '../state/store';
import { reloadCategories } from './categories';
import { loadTeamChannels } from './channels';
import { loadTeamUnreads, otherTeamActivity } from './teams';
import { updateConsole } from './console-update';
import { onEmojiAdded } from './custom-emoji';
import { conversationAdded } from './direct';
import { notifyPosted } from './notifications';
import { loadChannelPosts, loadPeopleOf } from './posts';
import { preferencesEvent } from './preferences';
import { onReactionAdded, onReactionRemoved } from './reactions';
import { statusChanged, userUpdated } from './status';
import { loadThread, loadUserThreads, onThreadFollowChanged, onThreadReadChanged, onThreadUpdated } from './threads';
import { onTyping, setTypingSender, typingStoppedByPost } from './typing';
import { countPosted, loadChannelUnreads, onChannelMemberUpdated, onChannelViewed, onMultipleChannelsViewed } from './unreads';
import { eventJson } from '../api/event-data';

type Handler = (data: Record<string, unknown>, msg: WebSocketMessage) => void;

/**
 * A `sidebar_category_*` event: the categories of its team are read again if they are loaded. An
 * update without a team (a favourite set through preferences) concerns the team on screen.
 */
function categoriesChanged(_data: Record<string, unknown>, msg: WebSocketMessage): void {
  const teamId = msg.broadcast.team_id || currentTeam(store.get())?.id;
  if (teamId && store.get().channels.categories[teamId]) reloadCategories(teamId).catch(() => undefined);
}

/** What each server event does to the state (events not listed are ignored for now). */
const SOCKET_EVENTS: Record<string, Handler> = {
  posted: (data) => {
    const post = eventJson<Post>(data.post);
    if (!post) return;
    update('posts', (s) => receivedPost(s, post));
    countPosted(post, data);
    typingStoppedByPost(post);
    loadPeopleOf({ posts: { [post.id]: post } }).catch(() => undefined);
    notifyPosted(post, data);
    otherTeamActivity(String(data.team_id ?? ''));
  },
  post_edited: (data) => {
    const post = eventJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, post));
  },
  post_deleted: (data) => {
    const post = eventJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, { ...post, delete_at: post.delete_at || Date.now() }));
  },
  /** A job's status changed (system admins only): the System Console's jobs page follows it. */
  job_updated: (data) => {
    const job = eventJson<Job>(data.job);
    if (job) updateConsole('jobs', (s) => receivedJob(s, job));
  },
  /** Someone started a DM or a group message with the user: it joins the sidebar. */
  direct_added: (_data, msg) => void conversationAdded(msg.broadcast.channel_id).catch(() => undefined),
  group_added: (_data, msg) => void conversationAdded(msg.broadcast.channel_id).catch(() => undefined),
  /** One's own availability changed (here, on another device, or by the server going away). */
  status_change: (data) => statusChanged(String(data.user_id ?? ''), String(data.status ?? '')),
  /** Someone's profile changed (their custom status too). */
  user_updated: (data) => userUpdated(data.user as UserProfile | undefined),
  preferences_changed: (data) => preferencesEvent(data.preferences, false),
  preferences_deleted: (data) => preferencesEvent(data.preferences, true),
  /** A reply for this user alone (a slash command's answer): shown in its channel, never stored by the server. */
  ephemeral_message: (data) => {
    const post = eventJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, post));
  },
  /** The sidebar's categories changed (here, in another tab, or by a favourite set elsewhere). */
  sidebar_category_created: categoriesChanged,
  sidebar_category_updated: categoriesChanged,
  sidebar_category_deleted: categoriesChanged,
  sidebar_category_order_updated: categoriesChanged,
  emoji_added: onEmojiAdded,
  reaction_added: onReactionAdded,
  reaction_removed: onReactionRemoved,
  thread_updated: onThreadUpdated,
  thread_read_changed: onThreadReadChanged,
  thread_follow_changed: onThreadFollowChanged,
  typing: onTyping,
  channel_viewed: onChannelViewed,
  multiple_channels_viewed: onMultipleChannelsViewed,
  channel_member_updated: onChannelMemberUpdated,
};

let socket: WebSocketClient | undefined;

/** Opens the socket (authenticated by the session cookie); once per sign-in. */
export function connectSocket(): void {
  if (socket) return;
  socket = createSocket();
  socket.addMessageListener(onMessage);
  socket.addReconnectListener(resync);
  socket.addMissedMessageListener(resync);
  socket.initialize(socketUrl(window.location, store.get().config.client.WebsocketURL ?? ''));
  setTypingSender((channelId, parentId) => socket?.userTyping(channelId, parentId));
}

export function disconnectSocket(): void {
  socket?.close();
  socket = undefined;
  setTypingSender(undefined);
}

function onMessage(msg: WebSocketMessage): void {
  SOCKET_EVENTS[msg.event]?.(msg.data as Record<string, unknown>, msg);
}

/** What is fetched again after a gap, one entry per part of the screen (all run at once, each retried). */
const RESYNC: Record<string, () => Promise<void>> = {
  /** The open channel's newest posts (loadChannelPosts keeps those that arrive while the page is on its way). */
  channel: async () => {
    const channel = currentChannel(store.get());
    if (channel) await loadChannelPosts(channel.id);
  },
  /** The sidebar: channels joined or left and categories changed while events were missed. */
  sidebar: async () => {
    const team = currentTeam(store.get());
    if (team) await loadTeamChannels(team, true);
  },
  /** The open thread (the panel or the Threads view) and, once loaded, the team's followed threads. */
  threads: async () => {
    const { route, threads } = store.get();
    const thread = route.screen === 'threads' ? route.thread : threads.openRootId;
    const team = currentTeam(store.get());
    await Promise.all([thread ? loadThread(thread) : undefined, team && threads.byTeam[team.id] ? loadUserThreads(team.id) : undefined]);
  },
  /** The team switcher's unread tiles (people on several teams). */
  teams: async () => {
    if (Object.keys(store.get().teams.byId).length > 1) await loadTeamUnreads();
  },
  /** Unread and mention counts of the sidebar. */
  unreads: async () => {
    const team = currentTeam(store.get());
    if (team) await loadChannelUnreads(team.name, true);
  },
};

/** Waits before each retry of a refetch: a node that just died may still be in the proxy's list. */
const RETRY_DELAYS_MS = [500, 1000, 2000, 4000, 8000];

let resyncing: Promise<void> | undefined;
let resyncAgain = false;

/** Refetches after a gap; a gap found while one runs makes it run once more after (not twice at once). */
function resync(): void {
  if (resyncing) {
    resyncAgain = true;
    return;
  }
  resyncing = Promise.all(Object.values(RESYNC).map((task) => withRetries(task).catch(() => undefined))).then(() => {
    resyncing = undefined;
    if (resyncAgain) {
      resyncAgain = false;
      resync();
    }
  });
}

/** Runs `task`, again after a pause when it fails for want of a server (network, 5xx); not for other errors. */
async function withRetries(task: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await task();
    } catch (err) {
      const transient = !isApiError(err) || (err.status_code ?? 0) >= 500 || !err.status_code;
      const delay = RETRY_DELAYS_MS[attempt];
      if (!transient || delay === undefined || !socket) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
