/**
 * A PushNotification as an APNs request: the JSON payload (the `aps` dictionary and the custom
 * keys the Mattermost apps read) and the apns-* headers, built as Mattermost's proxy builds them.
 */
import type { PushNotification } from '../push-notification.js';

export interface ApnsAlert {
  title?: string;
  body?: string;
}

export interface Aps {
  alert?: string | ApnsAlert;
  badge?: number;
  sound?: string;
  category?: string;
  'thread-id'?: string;
  'content-available'?: 1;
  'mutable-content'?: 1;
}

export interface ApnsRequest {
  headers: { 'apns-topic': string; 'apns-push-type': 'alert' | 'background'; 'apns-priority': '10' | '5' };
  payload: { aps: Aps } & Record<string, unknown>;
}

/** The payload and headers for `msg` (already within the size limits) sent to `topic`. */
export function buildApnsRequest(msg: PushNotification, appVersion: number, topic: string): ApnsRequest {
  const aps: Aps = {};
  const custom: Record<string, unknown> = {};
  const badge = msg.badge ?? 0;
  // Mattermost's proxy sends a clear without a count to apps newer than v1 with badge 1; -1
  // means "leave the badge alone".
  if (badge === 0 && msg.type === 'clear' && appVersion > 1) aps.badge = 1;
  else if (badge !== -1) aps.badge = badge;

  if (msg.is_id_loaded) {
    // The server sent a generic text; the app fetches the post by its ids and shows it
    // (mutable-content wakes its notification service extension).
    Object.assign(aps, { category: msg.category, sound: 'default', 'mutable-content': 1, 'content-available': 1, alert: { body: msg.message ?? '' } });
    Object.assign(custom, { version: msg.version ?? '', id_loaded: true });
  } else if (msg.type === 'message' || msg.type === 'session') {
    Object.assign(aps, { category: msg.category, sound: 'default', 'mutable-content': 1 });
    if (msg.type === 'message') aps['content-available'] = 1;
    custom.version = msg.version ?? '';
    // v2 apps show the channel as the title; older ones get the text alone.
    aps.alert = msg.channel_name && msg.version === 'v2' ? { title: msg.channel_name, body: msg.message ?? '' } : (msg.message ?? '');
    if (msg.channel_name) custom.channel_name = msg.channel_name;
  } else if (msg.type === 'clear' || msg.type === 'test') {
    aps['content-available'] = 1;
  }
  // update_badge: the badge alone.

  Object.assign(custom, { type: msg.type ?? '', sub_type: msg.sub_type ?? '', server_id: msg.server_id ?? '' });
  if (msg.ack_id) custom.ack_id = msg.ack_id;
  custom.is_crt_enabled = msg.is_crt_enabled ?? false;
  if (msg.channel_id) {
    custom.channel_id = msg.channel_id;
    // iOS groups notifications by thread-id: by thread when collapsed threads are on, else by channel.
    aps['thread-id'] = msg.is_crt_enabled && msg.root_id ? msg.root_id : msg.channel_id;
  }
  custom.signature = msg.signature || 'NO_SIGNATURE';
  for (const key of ['team_id', 'sender_id', 'sender_name', 'post_id', 'root_id', 'override_username', 'override_icon_url', 'from_webhook'] as const) {
    if (msg[key]) custom[key] = msg[key];
  }
  if (!aps.category) delete aps.category;

  const background = isBackground(aps);
  return {
    headers: { 'apns-topic': topic, 'apns-push-type': background ? 'background' : 'alert', 'apns-priority': background ? '5' : '10' },
    payload: { aps, ...custom },
  };
}

/**
 * Apple's rule: a push that shows nothing (no alert, badge or sound; content-available at most)
 * is a background push and must go with priority 5; anything the user sees (a badge change
 * included) is an alert push. Mattermost's proxy sends every push as alert/10; a clear carries a
 * badge, so it stays an alert push here too.
 */
function isBackground(aps: Aps): boolean {
  return aps.alert === undefined && aps.badge === undefined && aps.sound === undefined;
}
