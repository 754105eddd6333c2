/**
 * Mattermost's push wire model (model/push_notification.go): the message the server posts to the
 * push proxy's /api/v1/send_push, the ack a mobile app posts back, and the device ids the apps
 * register on their session.
 */

/** The platforms a device id may name (model.PushNotifyApple…); the apps may add `-v2`. */
export const PUSH_PLATFORMS = ['apple', 'android', 'apple_rn', 'android_rn', 'apple_voip_rn'] as const;

export type PushType = 'message' | 'clear' | 'update_badge' | 'session' | 'test';

/** PushNotificationContents: how much of a post a push may carry (model.FullNotification…). */
export type PushContents = 'full' | 'generic' | 'generic_no_channel' | 'id_loaded';
export const PUSH_CONTENTS: readonly PushContents[] = ['full', 'generic', 'generic_no_channel', 'id_loaded'];

export const PUSH_MESSAGE_V2 = 'v2';
export const CATEGORY_CAN_REPLY = 'CAN_REPLY';

/**
 * model.PushNotification. Go marshals the fields without `omitempty` always (ack_id, platform,
 * server_id, device_id, post_id, is_crt_enabled, is_id_loaded, signature) and the others only when
 * set; toWire() reproduces that, so the proxy and the apps see the same keys as from Mattermost.
 */
export interface PushNotification {
  ack_id: string;
  platform: string;
  server_id: string;
  device_id: string;
  post_id: string;
  category?: string;
  sound?: string;
  message?: string;
  badge?: number;
  cont_ava?: number;
  team_id?: string;
  channel_id?: string;
  root_id?: string;
  channel_name?: string;
  type?: PushType;
  sub_type?: string;
  sender_id?: string;
  sender_name?: string;
  override_username?: string;
  override_icon_url?: string;
  from_webhook?: string;
  version?: string;
  is_crt_enabled: boolean;
  is_id_loaded: boolean;
  signature: string;
}

/** An empty message: the always-present fields at their zero values. */
export function emptyPush(fields: Partial<PushNotification> = {}): PushNotification {
  return { ack_id: '', platform: '', server_id: '', device_id: '', post_id: '', is_crt_enabled: false, is_id_loaded: false, signature: '', ...fields };
}

const ALWAYS = new Set(['ack_id', 'platform', 'server_id', 'device_id', 'post_id', 'is_crt_enabled', 'is_id_loaded', 'signature']);

/** The message as Go's encoding/json writes it: `omitempty` fields left out at their zero value. */
export function toWire(msg: PushNotification): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(msg)) {
    if (value === undefined) continue;
    if (!ALWAYS.has(key) && (value === '' || value === 0 || value === false)) continue;
    out[key] = value;
  }
  return out;
}

/** model.PushNotificationAck, as a mobile app posts it to /notifications/ack. */
export interface PushNotificationAck {
  id: string;
  received_at: number;
  platform: string;
  type: string;
  post_id: string;
  is_id_loaded: boolean;
}

/** A session's device id split as SetDeviceIdAndPlatform does: `platform:token` at the first colon. */
export function splitDeviceId(deviceId: string): { platform: string; deviceId: string } {
  const at = deviceId.indexOf(':');
  if (at < 0) return { platform: '', deviceId: '' };
  return { platform: deviceId.slice(0, at), deviceId: deviceId.slice(at + 1) };
}

/** The longest device id the sessions table holds (device_id varchar(512)). */
export const MAX_DEVICE_ID_LENGTH = 512;

/**
 * Whether a device id can be registered: a known platform, optionally with the apps' `-v2`
 * suffix, a colon and a non-empty token. (Mattermost itself stopped checking the prefix; a
 * session holding anything else would only ever get FAIL from the proxy.)
 */
export function isValidDeviceId(deviceId: unknown): deviceId is string {
  if (typeof deviceId !== 'string' || deviceId.length > MAX_DEVICE_ID_LENGTH) return false;
  const { platform, deviceId: token } = splitDeviceId(deviceId);
  const base = platform.endsWith('-v2') ? platform.slice(0, -3) : platform;
  return (PUSH_PLATFORMS as readonly string[]).includes(base) && token.trim() !== '' && !/[\s\u0000]/.test(token);
}
