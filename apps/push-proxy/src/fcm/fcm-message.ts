/**
 * A PushNotification as an FCM HTTP v1 message: data only (the Mattermost apps build the
 * notification themselves), every value a string, high priority so that a dozing device wakes —
 * the keys and rules of Mattermost's proxy.
 */
import type { PushNotification } from '../push-notification.js';

export interface FcmMessage {
  message: { token: string; data: Record<string, string>; android: { priority: 'high' } };
}

export function buildFcmMessage(msg: PushNotification): FcmMessage {
  const type = msg.type ?? '';
  const data: Record<string, string> = {
    ack_id: msg.ack_id ?? '',
    type,
    sub_type: msg.sub_type ?? '',
    version: msg.version ?? '',
    channel_id: msg.channel_id ?? '',
    is_crt_enabled: String(msg.is_crt_enabled ?? false),
    server_id: msg.server_id ?? '',
    category: msg.category ?? '',
  };
  const badge = msg.badge ?? 0;
  if (badge !== -1) data.badge = String(badge);
  if (msg.root_id) data.root_id = msg.root_id;
  data.signature = msg.signature || 'NO_SIGNATURE';

  if (msg.is_id_loaded) {
    // The message is the server's generic text and the sender stays anonymous until the app has
    // fetched the post by its id.
    Object.assign(data, {
      post_id: msg.post_id ?? '',
      message: msg.message ?? '',
      id_loaded: 'true',
      sender_id: msg.sender_id ?? '',
      sender_name: 'Someone',
      team_id: msg.team_id ?? '',
    });
  } else if (type === 'message' || type === 'session') {
    Object.assign(data, {
      team_id: msg.team_id ?? '',
      sender_id: msg.sender_id ?? '',
      sender_name: msg.sender_name ?? '',
      message: msg.message ?? '',
      channel_name: msg.channel_name ?? '',
      post_id: msg.post_id ?? '',
      override_username: msg.override_username ?? '',
      override_icon_url: msg.override_icon_url ?? '',
      from_webhook: msg.from_webhook ?? '',
    });
  }
  return { message: { token: msg.device_id ?? '', data, android: { priority: 'high' } } };
}
