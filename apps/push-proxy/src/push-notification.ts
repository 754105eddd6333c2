/**
 * What Mattermost servers send to a push proxy and what it answers: the PushNotification and
 * PushNotificationAck JSON of Mattermost's model package, the {"status","error"} response, and
 * the checks the proxy makes before handing a notification to a platform.
 */
import type { Logger } from './log.js';
import type { PushMetrics } from './metrics.js';
import type { RetryOptions } from './retry.js';

/** POST /api/v1/send_push (Mattermost's model.PushNotification; unknown fields are ignored). */
export interface PushNotification {
  ack_id?: string;
  /** Which configured target sends it (ApplePushSettings/AndroidPushSettings Type), with an optional "-v<n>" app version. */
  platform?: string;
  server_id?: string;
  device_id?: string;
  post_id?: string;
  category?: string;
  sound?: string;
  message?: string;
  /** The app's badge; -1 leaves it alone. */
  badge?: number;
  cont_ava?: number;
  team_id?: string;
  channel_id?: string;
  root_id?: string;
  channel_name?: string;
  type?: PushType | string;
  sub_type?: string;
  sender_id?: string;
  sender_name?: string;
  override_username?: string;
  override_icon_url?: string;
  from_webhook?: string;
  version?: string;
  is_crt_enabled?: boolean;
  is_id_loaded?: boolean;
  signature?: string;
}

export type PushType = 'message' | 'clear' | 'update_badge' | 'session' | 'test';

/** POST /api/v1/ack: a device saying it received a notification (model.PushNotificationAck). */
export interface PushNotificationAck {
  id?: string;
  received_at?: number;
  platform?: string;
  type?: string;
  post_id?: string;
  is_id_loaded?: boolean;
}

export type PushStatus = 'OK' | 'FAIL' | 'REMOVE';

/** The answer to every POST: REMOVE tells the server to forget the device (its session's device_id). */
export interface PushResponse {
  status: PushStatus;
  error?: string;
}

export const ok = (): PushResponse => ({ status: 'OK' });
export const remove = (): PushResponse => ({ status: 'REMOVE' });
export const fail = (error: string): PushResponse => ({ status: 'FAIL', error });

/** Mattermost's proxy keeps the message under APNs' and FCM's payload limits this way. */
export const MAX_MESSAGE_BYTES = 2047;
export const MAX_CHANNEL_NAME_BYTES = 64;

const STRING_FIELDS = [
  'ack_id',
  'platform',
  'server_id',
  'device_id',
  'post_id',
  'category',
  'sound',
  'message',
  'team_id',
  'channel_id',
  'root_id',
  'channel_name',
  'type',
  'sub_type',
  'sender_id',
  'sender_name',
  'override_username',
  'override_icon_url',
  'from_webhook',
  'version',
  'signature',
] as const;
const INTEGER_FIELDS = ['badge', 'cont_ava'] as const;
const BOOLEAN_FIELDS = ['is_crt_enabled', 'is_id_loaded'] as const;

/**
 * Parses a send_push body. A body that is not a JSON object, or a field of the wrong JSON type,
 * is refused as Mattermost's proxy (Go's decoder) refuses it; the message says which field.
 */
export function parsePushNotification(body: string): PushNotification | { error: string } {
  const parsed = parseObject(body);
  if ('error' in parsed) return parsed;
  const value = parsed.value;
  for (const key of STRING_FIELDS) if (value[key] != null && typeof value[key] !== 'string') return { error: `${key} must be a string` };
  for (const key of INTEGER_FIELDS) if (value[key] != null && !Number.isSafeInteger(value[key])) return { error: `${key} must be an integer` };
  for (const key of BOOLEAN_FIELDS) if (value[key] != null && typeof value[key] !== 'boolean') return { error: `${key} must be true or false` };
  return value as PushNotification;
}

/** Parses an ack body (same rules as parsePushNotification). */
export function parseAck(body: string): PushNotificationAck | { error: string } {
  const parsed = parseObject(body);
  if ('error' in parsed) return parsed;
  const value = parsed.value;
  for (const key of ['id', 'platform', 'type', 'post_id'])
    if (value[key] != null && typeof value[key] !== 'string') return { error: `${key} must be a string` };
  if (value.received_at != null && !Number.isSafeInteger(value.received_at)) return { error: 'received_at must be an integer' };
  if (value.is_id_loaded != null && typeof value.is_id_loaded !== 'boolean') return { error: 'is_id_loaded must be true or false' };
  return value as PushNotificationAck;
}

function parseObject(body: string): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { error: `invalid JSON: ${(err as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'the body must be a JSON object' };
  return { value: value as Record<string, unknown> };
}

/**
 * Splits "apple_rn-v2" into the target type and the app version (1 when absent or unreadable),
 * as Mattermost's proxy does: everything from the first "-v" on is the version.
 */
export function splitPlatform(platform: string): { type: string; appVersion: number; badVersion?: string } {
  const at = platform.indexOf('-v');
  if (at < 0) return { type: platform, appVersion: 1 };
  const version = platform.slice(at + 2);
  const type = platform.slice(0, at);
  return /^[+-]?\d+$/.test(version) ? { type, appVersion: Number(version) } : { type, appVersion: 1, badVersion: version };
}

/**
 * The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not cut a character
 * in two. Mattermost's proxy cuts the message at 2046 bytes once it is over 2047 and the channel
 * name at 64 bytes; it counts bytes, as the providers' payload limits do.
 */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** The message and channel name cut to Mattermost's limits (a copy; the input is not changed). */
export function withinLimits(msg: PushNotification): PushNotification {
  const out = { ...msg };
  if (out.message && Buffer.byteLength(out.message) > MAX_MESSAGE_BYTES) out.message = truncateUtf8(out.message, MAX_MESSAGE_BYTES - 1);
  if (out.channel_name) out.channel_name = truncateUtf8(out.channel_name, MAX_CHANNEL_NAME_BYTES);
  return out;
}

/** One configured platform (an ApplePushSettings or AndroidPushSettings entry) that delivers notifications. */
export interface PushTarget {
  /** The settings' Type: apple, apple_rn, android, android_rn, … */
  readonly type: string;
  /** The provider family, the `platform` label of the metrics. */
  readonly platform: 'apple' | 'android';
  /** Never throws: every outcome is a PushResponse. */
  send(msg: PushNotification, appVersion: number): Promise<PushResponse>;
  /** Closes provider connections (after the in-flight sends ended). */
  close(): Promise<void>;
}

/** What a target needs from the process. */
export interface TargetDeps {
  log: Logger;
  metrics?: PushMetrics;
  /** The attempt timeout and deadline (RetryTimeoutSec, SendTimeoutSec) and, in specs, the waits. */
  retry: Omit<RetryOptions, 'maxAttempts' | 'baseDelayMs'> & Partial<Pick<RetryOptions, 'maxAttempts' | 'baseDelayMs'>>;
}
