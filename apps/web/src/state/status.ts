/**
 * People's availability (online, away, do not disturb, offline) and custom statuses. Statuses come
 * from POST /users/status/ids (asked again every little while for the people on screen, as
 * Mattermost's web app does, since the server sends `status_change` only to the user whose status
 * changed) and from that event for oneself. A custom status lives in the user's props
 * (`customStatus`, a JSON string) and so arrives with the profile (`user_updated`).
 */
import type { UserProfile } from '@mattermost/types/users';

export type Availability = 'online' | 'away' | 'dnd' | 'offline';

export interface StatusState {
  byUserId: Record<string, Availability>;
}

export const initialStatus: StatusState = { byUserId: {} };

export const AVAILABILITY_LABELS: Record<Availability, string> = { online: 'Online', away: 'Away', dnd: 'Do not disturb', offline: 'Offline' };

const asAvailability = (status: string): Availability => (status === 'online' || status === 'away' || status === 'dnd' ? status : 'offline');

export function receivedStatuses(state: StatusState, statuses: { user_id: string; status: string }[]): StatusState {
  let byUserId = state.byUserId;
  for (const s of statuses) {
    const value = asAvailability(s.status);
    if (byUserId[s.user_id] === value) continue;
    if (byUserId === state.byUserId) byUserId = { ...byUserId };
    byUserId[s.user_id] = value;
  }
  return byUserId === state.byUserId ? state : { byUserId };
}

export const statusOf = (state: StatusState, userId: string): Availability | undefined => state.byUserId[userId];

export interface CustomStatus {
  emoji: string;
  text: string;
  duration: string;
  /** When it ends (ms), 0 for never. */
  expiresAt: number;
}

/** Go's zero time, what the server writes for "never expires". */
const ZERO_TIME_MS = Date.UTC(1, 0, 1);

/** The user's custom status, unless there is none or it has expired (the server leaves expired ones for the apps to hide). */
export function customStatusOf(user: Pick<UserProfile, 'props'> | undefined, now: number): CustomStatus | undefined {
  const raw = (user?.props as Record<string, unknown> | undefined)?.customStatus;
  if (typeof raw !== 'string' || raw === '') return undefined;
  let value: { emoji?: unknown; text?: unknown; duration?: unknown; expires_at?: unknown };
  try {
    value = JSON.parse(raw) as typeof value;
  } catch {
    return undefined;
  }
  const emoji = typeof value.emoji === 'string' ? value.emoji : '';
  const text = typeof value.text === 'string' ? value.text : '';
  if (!emoji && !text) return undefined;
  const parsed = typeof value.expires_at === 'string' ? Date.parse(value.expires_at) : NaN;
  const expiresAt = Number.isNaN(parsed) || parsed <= ZERO_TIME_MS ? 0 : parsed;
  const duration = typeof value.duration === 'string' ? value.duration : '';
  if (expiresAt && expiresAt <= now) return undefined;
  return { emoji, text, duration, expiresAt };
}

/** The choices of "Clear after", as Mattermost offers them. */
export const CLEAR_AFTER: { value: string; label: string }[] = [
  { value: '', label: "Don't clear" },
  { value: 'thirty_minutes', label: '30 minutes' },
  { value: 'one_hour', label: '1 hour' },
  { value: 'four_hours', label: '4 hours' },
  { value: 'today', label: 'Today' },
  { value: 'this_week', label: 'This week' },
  { value: 'date_and_time', label: 'Choose date and time' },
];

/**
 * When a custom status chosen at `now` ends (ms; 0 for never): a fixed time from now, the end of
 * today or of this week (Sunday night, local time), or the chosen date and time.
 */
export function customStatusExpiry(duration: string, now: Date, chosen?: Date): number {
  const minutes = { thirty_minutes: 30, one_hour: 60, four_hours: 240 }[duration];
  if (minutes) return now.getTime() + minutes * 60_000;
  const endOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate(), 23, 59, 59, 999).getTime();
  if (duration === 'today') return endOfDay(now);
  if (duration === 'this_week') {
    const daysToSunday = (7 - now.getDay()) % 7;
    return endOfDay(new Date(now.getFullYear(), now.getMonth(), now.getDate() + daysToSunday));
  }
  if (duration === 'date_and_time') return chosen ? chosen.getTime() : 0;
  return 0;
}

/** "Until 5:30 PM", "Until Fri, Mar 6": when a custom status ends, in words ('' for never). */
export function expiryLabel(expiresAt: number, now: Date): string {
  if (!expiresAt) return '';
  const end = new Date(expiresAt);
  const sameDay = end.toDateString() === now.toDateString();
  const time = end.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  return sameDay ? `Until ${time}` : `Until ${end.toLocaleDateString(undefined, { weekday: 'short', month: 'short', day: 'numeric' })} ${time}`;
}
