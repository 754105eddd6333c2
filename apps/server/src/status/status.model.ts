/** A row of the `status` table (model.Status; dnd_end_time is in SECONDS, as Mattermost stores it). */
export interface StatusRow {
  user_id: string;
  status: string;
  manual: boolean;
  last_activity_at: number;
  dnd_end_time: number;
  prev_status: string;
}

export const STATUS_ONLINE = 'online';
export const STATUS_AWAY = 'away';
export const STATUS_DND = 'dnd';
export const STATUS_OFFLINE = 'offline';

/** The statuses PUT /users/{id}/status accepts ("ooo" is only set by the auto-responder). */
export const SETTABLE_STATUSES: ReadonlySet<string> = new Set([STATUS_ONLINE, STATUS_AWAY, STATUS_DND, STATUS_OFFLINE]);

/** An unchanged online status is written back at most this often (model.StatusMinUpdateTime). */
export const STATUS_MIN_UPDATE_TIME_MS = 120_000;

/** model.Status as the API returns it; prev_status never leaves the server. */
export type StatusView = Omit<StatusRow, 'prev_status'>;

export function statusView(row: StatusRow): StatusView {
  return {
    user_id: row.user_id,
    status: row.status,
    manual: row.manual,
    last_activity_at: row.last_activity_at,
    dnd_end_time: row.dnd_end_time,
  };
}

/** What Mattermost reports for a user it holds no status for. */
export function offlineStatus(userId: string): StatusRow {
  return { user_id: userId, status: STATUS_OFFLINE, manual: false, last_activity_at: 0, dnd_end_time: 0, prev_status: '' };
}

export type StatusChange =
  /** A socket connected or the client reported activity (manual=false), or the user chose "online". */
  | { kind: 'online'; manual: boolean }
  /** The last socket closed (manual=false), or the user chose "offline". */
  | { kind: 'offline'; manual: boolean }
  /** The client reported inactivity (manual=false, only after awayTimeoutMs idle), or the user chose "away". */
  | { kind: 'away'; manual: boolean; awayTimeoutMs: number }
  /** The user chose "do not disturb", until endTime (epoch seconds; 0 = until changed). */
  | { kind: 'dnd'; endTime: number };

export interface Transition {
  next: StatusRow;
  /** Whether the user's sockets get a `status_change`. */
  broadcast: boolean;
  /** What to write: the whole row, only last_activity_at, or nothing. */
  write: 'row' | 'activity' | 'none';
}

/**
 * The status rules of app/platform/status.go as a pure function. Returns null when the change does
 * not apply — chiefly because a status the user chose by hand is never overridden by an automatic
 * one (a socket connecting does not end "dnd", the last one closing does not end "away").
 */
export function applyStatusChange(current: StatusRow | null, userId: string, change: StatusChange, now: number): Transition | null {
  switch (change.kind) {
    case 'online': {
      if (!current) {
        return { next: { ...offlineStatus(userId), status: STATUS_ONLINE, last_activity_at: now }, broadcast: true, write: 'row' };
      }
      if (current.manual && !change.manual) return null;
      const broadcast = current.status !== STATUS_ONLINE;
      // "online" is never manual: it is what automatic presence would say anyway.
      const next = { ...current, status: STATUS_ONLINE, manual: false, last_activity_at: now };
      let write: Transition['write'] = 'none';
      if (broadcast || current.manual) write = 'row';
      else if (now - current.last_activity_at > STATUS_MIN_UPDATE_TIME_MS) write = 'activity';
      return { next, broadcast, write };
    }
    case 'offline': {
      if (current?.manual && !change.manual) return null;
      return {
        next: { ...offlineStatus(userId), manual: change.manual, last_activity_at: now },
        broadcast: true,
        write: 'row',
      };
    }
    case 'away': {
      const base = current ?? { ...offlineStatus(userId), manual: change.manual };
      if (!change.manual) {
        if (base.manual) return null;
        if (base.status === STATUS_AWAY) return null;
        if (now - base.last_activity_at < change.awayTimeoutMs) return null;
      }
      return { next: { ...base, status: STATUS_AWAY, manual: change.manual }, broadcast: true, write: 'row' };
    }
    case 'dnd': {
      const base = current ?? offlineStatus(userId);
      // Setting DND again keeps the status to go back to, so a timed DND cannot end in DND.
      const prev = base.status === STATUS_DND ? base.prev_status : base.status;
      return {
        next: { ...base, status: STATUS_DND, manual: true, dnd_end_time: change.endTime, prev_status: prev },
        broadcast: true,
        write: 'row',
      };
    }
  }
}

/** A timed DND whose end has passed (and that the expiry sweep will turn back into prev_status). */
export function isExpiredDnd(row: StatusRow, nowMs: number): boolean {
  return row.status === STATUS_DND && row.dnd_end_time > 0 && row.dnd_end_time * 1000 <= nowMs;
}
