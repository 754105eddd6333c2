/**
 * Unsent messages per channel (and per thread): what the composer held when the person left, so
 * that it is there again when they come back. Kept in the browser (localStorage, per user) and,
 * when the server allows synced drafts (ServiceSettings.AllowSyncedDrafts), on the server too
 * (POST /drafts), so that another device sees them. The newer of two copies wins.
 */
import type { Draft as ServerDraft } from '@mattermost/types/drafts';

export interface Draft {
  message: string;
  /** When it was last changed (ms); an emptied draft is kept as a tombstone until it is older than a server copy. */
  updateAt: number;
}

export interface DraftsState {
  byKey: Record<string, Draft>;
  /** Whose browser drafts have been read into the state ('' before the first read). */
  localUser: string;
  /** Teams whose server drafts have been fetched since sign-in. */
  syncedTeams: string[];
}

export const initialDrafts: DraftsState = { byKey: {}, localUser: '', syncedTeams: [] };

/** A draft's key: the channel, and the thread's root for a reply. */
export const draftKey = (channelId: string, rootId = ''): string => (rootId ? `${channelId}:${rootId}` : channelId);

/** The draft's text ('' when there is none). */
export const draftMessage = (state: DraftsState, key: string): string => state.byKey[key]?.message ?? '';

/** The person typed (or sent: an empty message): the draft is now this text. */
export function draftChanged(state: DraftsState, key: string, message: string, now: number): DraftsState {
  if ((state.byKey[key]?.message ?? '') === message && message !== '') return state;
  return { ...state, byKey: { ...state.byKey, [key]: { message, updateAt: now } } };
}

/** The browser's copy, read once per user: merged, the newer of each pair winning. */
export function restoredLocal(state: DraftsState, userId: string, local: Record<string, Draft>): DraftsState {
  return { ...state, localUser: userId, byKey: mergeNewer(state.byKey, local) };
}

/** The server's drafts of a team (GET /users/me/teams/{t}/drafts): merged, the newer winning. */
export function receivedServerDrafts(state: DraftsState, teamId: string, drafts: ServerDraft[]): DraftsState {
  const incoming = Object.fromEntries(
    drafts.filter((d) => !d.delete_at).map((d) => [draftKey(d.channel_id, d.root_id), { message: d.message, updateAt: d.update_at }]),
  );
  const syncedTeams = state.syncedTeams.includes(teamId) ? state.syncedTeams : [...state.syncedTeams, teamId];
  return { ...state, syncedTeams, byKey: mergeNewer(state.byKey, incoming) };
}

function mergeNewer(mine: Record<string, Draft>, theirs: Record<string, Draft>): Record<string, Draft> {
  const out = { ...mine };
  for (const [key, draft] of Object.entries(theirs)) {
    if (!out[key] || out[key].updateAt < draft.updateAt) out[key] = draft;
  }
  return out;
}

/** Tombstones older than this are dropped when the drafts are stored. */
const TOMBSTONE_MS = 24 * 60 * 60 * 1000;

/** What goes into localStorage: the drafts with text, and recent tombstones (so that a sent draft stays sent). */
export function serializeDrafts(byKey: Record<string, Draft>, now: number): string {
  const kept = Object.entries(byKey).filter(([, d]) => d.message !== '' || now - d.updateAt < TOMBSTONE_MS);
  return JSON.stringify(Object.fromEntries(kept));
}

/** localStorage's copy back; anything unreadable or malformed is left out. */
export function parseDrafts(text: string | null): Record<string, Draft> {
  if (!text) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, Draft> = {};
  for (const [key, d] of Object.entries(value as Record<string, unknown>)) {
    const draft = d as Partial<Draft> | null;
    if (draft && typeof draft.message === 'string' && typeof draft.updateAt === 'number') out[key] = { message: draft.message, updateAt: draft.updateAt };
  }
  return out;
}
