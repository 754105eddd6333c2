/**
 * The socket's events, turned into state. One handler per event name in SOCKET_EVENTS; a feature
 * that shows something live adds its handler there. After a reconnect that may have missed events
 * (Mattermost's protocol resumes, but a gap is possible) the open channel is loaded again.
 */
import type { WebSocketClient, WebSocketMessage } from '@mattermost/client';
import type { Post } from '@mattermost/types/posts';
import { createSocket, socketUrl } from '../api/socket';
import { receivedPost } from '../state/posts';
import { currentChannel, currentTeam } from '../state/selectors';
import { store, update } from '../state/store';
import { onEmojiAdded } from './custom-emoji';
import { onReactionAdded, onReactionRemoved } from './reactions';
import { loadThread, loadUserThreads, onThreadFollowChanged, onThreadReadChanged, onThreadUpdated } from './threads';
import { loadChannelPosts, loadPeopleOf } from './posts';
import { onTyping, setTypingSender, typingStoppedByPost } from './typing';
import { countPosted, loadChannelUnreads, onChannelMemberUpdated, onChannelViewed, onMultipleChannelsViewed } from './unreads';

type Handler = (data: Record<string, unknown>, msg: WebSocketMessage) => void;

/** What each server event does to the state (events not listed are ignored for now). */
const SOCKET_EVENTS: Record<string, Handler> = {
  posted: (data) => {
    const post = parseJson<Post>(data.post);
    if (!post) return;
    update('posts', (s) => receivedPost(s, post));
    countPosted(post, data);
    typingStoppedByPost(post);
    loadPeopleOf({ posts: { [post.id]: post } }).catch(() => undefined);
  },
  post_edited: (data) => {
    const post = parseJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, post));
  },
  post_deleted: (data) => {
    const post = parseJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, { ...post, delete_at: post.delete_at || Date.now() }));
  },
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

function resync(): void {
  const channel = currentChannel(store.get());
  if (channel) loadChannelPosts(channel.id).catch(() => undefined);
  const { route, threads } = store.get();
  const thread = route.screen === 'threads' ? route.thread : threads.openRootId;
  if (thread) loadThread(thread).catch(() => undefined);
  const team = currentTeam(store.get());
  if (team && threads.byTeam[team.id]) loadUserThreads(team.id).catch(() => undefined);
  if (team) loadChannelUnreads(team.name, true).catch(() => undefined);
}

/** Posts and other objects travel as JSON text inside the event's data. */
function parseJson<T>(value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}
