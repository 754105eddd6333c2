/**
 * Desktop notifications through the browser's Notification API: asked for on a person's click
 * (browsers refuse to ask otherwise), then shown for new posts as state/notifications.ts decides
 * — while the tab is hidden. Clicking one brings the tab forward on the post's channel.
 */
import type { Post } from '@mattermost/types/posts';
import { channelLabel, itemRoute } from '../state/channels';
import { notificationText, shouldNotify } from '../state/notifications';
import { currentUser, currentTeam } from '../state/selectors';
import { currentUserId } from '../state/session';
import { store } from '../state/store';
import { navigate } from './navigation';
import { eventIds } from '../api/event-data';

export type PermissionState = NotificationPermission | 'unsupported';

export function notificationPermission(): PermissionState {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks the browser for permission (call from a click or key press). */
export async function askNotificationPermission(): Promise<PermissionState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.requestPermission();
}

/** The `posted` event: a notification, when one is due. */
export function notifyPosted(post: Post, data: Record<string, unknown>): void {
  if (notificationPermission() !== 'granted') return;
  const state = store.get();
  const me = currentUser(state);
  const mentions = eventIds(data.mentions);
  const facts = {
    authorId: post.user_id,
    postType: post.type ?? '',
    channelType: String(data.channel_type ?? ''),
    mentions,
    rootId: post.root_id ?? '',
    followers: eventIds(data.followers),
  };
  const recipient = {
    userId: currentUserId(state.session),
    desktop: me?.notify_props?.desktop ?? '',
    status: state.status.byUserId[me?.id ?? ''],
    tabHidden: document.hidden,
    collapsedThreads: state.threads.collapsed,
  };
  if (!shouldNotify(facts, recipient)) return;
  const { title, body } = notificationText(String(data.channel_display_name ?? ''), String(data.sender_name ?? ''), post.message);
  const notification = new Notification(title, { body, tag: post.id });
  notification.onclick = () => {
    window.focus();
    openChannelOf(post.channel_id);
    notification.close();
  };
}

function openChannelOf(channelId: string): void {
  const state = store.get();
  const team = currentTeam(state);
  const channel = state.channels.byId[channelId];
  if (!team || !channel) return;
  const me = currentUserId(state.session);
  if (channelLabel(channel, me, state.users.profiles)) navigate(itemRoute(team.name, channel, me, state.users.profiles));
}
