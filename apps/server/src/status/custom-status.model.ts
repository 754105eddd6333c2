import { AppError, invalidParam } from '#common';

/** Where a user's custom status lives: a JSON string in the user's props (model.UserPropsKeyCustomStatus). */
export const CUSTOM_STATUS_PROP = 'customStatus';
/** The recently used statuses: a JSON array in this preference (PreferenceCategoryCustomStatus / PreferenceNameRecentCustomStatuses). */
export const RECENT_CATEGORY = 'custom_status';
export const RECENT_NAME = 'recent_custom_statuses';
export const MAX_RECENT_CUSTOM_STATUSES = 5;
const TEXT_MAX_RUNES = 100;

const DURATIONS = new Set(['thirty_minutes', 'one_hour', 'four_hours', 'today', 'this_week', 'date_and_time']);

/** Go's zero time.Time, as encoding/json writes it. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * model.CustomStatus. `expires_at` is a Go time.Time on the wire: an RFC 3339 string, written back
 * as Go writes it (see goTime), with the instant kept beside it for comparisons.
 */
export interface CustomStatus {
  emoji: string;
  text: string;
  duration: string;
  expires_at: string;
}

interface GoTime {
  text: string;
  ms: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 time as Go's time.Time.UnmarshalJSON does and renders it as its MarshalJSON
 * would: the offset kept (Z for a zero offset), trailing zeros of the fraction dropped.
 * Undefined when Go would refuse it.
 */
export function goTime(value: string): GoTime | undefined {
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const offset = m[8] === 'Z' ? 0 : (m[8][0] === '-' ? -1 : 1) * (Number(m[8].slice(1, 3)) * 60 + Number(m[8].slice(4, 6)));
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59 || Math.abs(offset) >= 24 * 60) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCDate() !== day) return undefined; // 2030-02-30 and the like
  date.setUTCHours(hour, minute, second, Number(((m[7] ?? '.0') + '000').slice(1, 4)));
  const fraction = (m[7] ?? '').replace(/\.?0+$/, '');
  const zone = offset === 0 ? 'Z' : m[8];
  return { text: `${value.slice(0, 19)}${fraction}${zone}`, ms: date.getTime() - offset * 60_000 };
}

function badStatus(name: string): AppError {
  return invalidParam(name);
}

/**
 * Decodes a body into a CustomStatus the way Go's encoding/json fills model.CustomStatus: every
 * field optional (absent or null is its zero value), a field of the wrong type or an unparsable
 * time refuses the whole body as the invalid parameter `name`.
 */
export function decodeCustomStatus(body: unknown, name: string): CustomStatus & { expiresMs: number } {
  if (body === null) return { emoji: '', text: '', duration: '', expires_at: ZERO_TIME, expiresMs: zeroMs() };
  if (typeof body !== 'object' || Array.isArray(body)) throw badStatus(name);
  const b = body as Record<string, unknown>;
  const str = (key: string): string => {
    const v = b[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw badStatus(name);
    return v;
  };
  const status = { emoji: str('emoji'), text: str('text'), duration: str('duration') };
  const rawExpiry = b.expires_at;
  if (rawExpiry === undefined || rawExpiry === null) return { ...status, expires_at: ZERO_TIME, expiresMs: zeroMs() };
  const parsed = typeof rawExpiry === 'string' ? goTime(rawExpiry) : undefined;
  if (!parsed) throw badStatus(name);
  return { ...status, expires_at: parsed.text, expiresMs: parsed.ms };
}

function zeroMs(): number {
  return goTime(ZERO_TIME)!.ms;
}

/**
 * PUT /users/{id}/status/custom's body: an emoji or a text is needed, and a duration from
 * Mattermost's list with an expiry not yet passed, or no duration with no expiry or a future one
 * (CustomStatus.AreDurationAndExpirationTimeValid). Then PreSave: a future expiry without a
 * duration becomes date_and_time, and the text is cut to 100 characters (runes), not refused.
 */
export function customStatusFromBody(body: unknown, now: number): CustomStatus {
  const { expiresMs, ...status } = decodeCustomStatus(body, 'custom_status');
  if (status.emoji === '' && status.text === '') throw badStatus('custom_status');
  const expired = expiresMs < now;
  const noExpiry = status.expires_at === ZERO_TIME;
  const valid = status.duration === '' ? noExpiry || !expired : DURATIONS.has(status.duration) && !expired;
  if (!valid) throw badStatus('custom_status');
  if (status.duration === '' && !expired) status.duration = 'date_and_time';
  const runes = [...status.text];
  if (runes.length > TEXT_MAX_RUNES) status.text = runes.slice(0, TEXT_MAX_RUNES).join('');
  return status;
}

/** The status as stored and compared: its JSON with Mattermost's key order. */
export function encodeCustomStatus(s: CustomStatus): string {
  return JSON.stringify({ emoji: s.emoji, text: s.text, duration: s.duration, expires_at: s.expires_at });
}

/** A stored list of recent statuses; unreadable JSON is Mattermost's api.unmarshal_error (400). */
export function parseRecent(value: string): CustomStatus[] {
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    list = undefined;
  }
  if (list === null) return [];
  const unreadable = () => new AppError('', 'api.unmarshal_error', 'Unable to read the recent custom statuses.', 400);
  if (!Array.isArray(list)) throw unreadable();
  return list.map((item) => {
    try {
      const { expiresMs: _ignored, ...status } = decodeCustomStatus(item, 'recent_custom_status');
      return status;
    } catch {
      throw unreadable();
    }
  });
}

/** RecentCustomStatuses.Add: the new one first, others with the same text dropped, five at most. */
export function addRecent(list: CustomStatus[], status: CustomStatus): CustomStatus[] {
  return [status, ...list.filter((s) => s.text !== status.text)].slice(0, MAX_RECENT_CUSTOM_STATUSES);
}

/** RecentCustomStatuses.Contains: the same status exactly (all four fields); an empty one never. */
export function containsRecent(list: CustomStatus[], status: CustomStatus): boolean {
  if (status.emoji === '' && status.text === '') return false;
  const wanted = encodeCustomStatus(status);
  return list.some((s) => encodeCustomStatus(s) === wanted);
}

/** RecentCustomStatuses.Remove: every exact copy of the status goes. */
export function removeRecent(list: CustomStatus[], status: CustomStatus): CustomStatus[] {
  if (status.emoji === '' && status.text === '') return list;
  const unwanted = encodeCustomStatus(status);
  return list.filter((s) => encodeCustomStatus(s) !== unwanted);
}
