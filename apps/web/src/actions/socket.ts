/**
 * The socket's events, turned into state. One handler per event name in SOCKET_EVENTS; a feature
 * that shows something live adds its handler there. After a reconnect that may have missed events
 * (Mattermost's protocol resumes, but a gap is possible) the open channel is loaded again.
 */
import type { WebSocketClient, WebSocketMessage } from '@mattermost/client';
import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import { createSocket, socketUrl } from '../api/socket';
import { receivedPost } from '../state/posts';
import { currentChannel } from '../state/selectors';
import { store, update } from '../state/store';
import { conversationAdded } from './direct';
import { notifyPosted } from './notifications';
import { loadChannelPosts } from './posts';
import { preferencesEvent } from './preferences';
import { statusChanged, userUpdated } from './status';
import { loadMissingProfiles } from './users';

type Handler = (data: Record<string, unknown>, msg: WebSocketMessage) => void;

/** What each server event does to the state (events not listed are ignored for now). */
const SOCKET_EVENTS: Record<string, Handler> = {
  posted: (data) => {
    const post = parseJson<Post>(data.post);
    if (!post) return;
    update('posts', (s) => receivedPost(s, post));
    loadMissingProfiles([post.user_id]).catch(() => undefined);
    notifyPosted(post, data);
  },
  post_edited: (data) => {
    const post = parseJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, post));
  },
  post_deleted: (data) => {
    const post = parseJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, { ...post, delete_at: post.delete_at || Date.now() }));
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
    const post = parseJson<Post>(data.post);
    if (post) update('posts', (s) => receivedPost(s, post));
  },
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
}

export function disconnectSocket(): void {
  socket?.close();
  socket = undefined;
}

function onMessage(msg: WebSocketMessage): void {
  SOCKET_EVENTS[msg.event]?.(msg.data as Record<string, unknown>, msg);
}

function resync(): void {
  const channel = currentChannel(store.get());
  if (channel) loadChannelPosts(channel.id).catch(() => undefined);
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
