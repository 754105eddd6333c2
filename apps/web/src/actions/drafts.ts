/**
 * Saving and restoring the composer's drafts (state/drafts.ts): at once in the state and the
 * browser's localStorage, and — when the server allows synced drafts — on the server after a
 * pause in typing (POST /drafts; an empty message deletes it there). The server calls of one
 * draft run one after another, so that a late save never brings back a draft that was sent.
 *
 * The `draft_*` socket events are not followed: the open composer owns its text, and another
 * device's drafts are fetched when a team is entered.
 */
import type { Draft as ServerDraft } from '@mattermost/types/drafts';
import { client } from '../api/client';
import { enabled } from '../state/config';
import { draftChanged, draftKey, parseDrafts, receivedServerDrafts, restoredLocal, serializeDrafts } from '../state/drafts';
import { currentUserId } from '../state/session';
import { store, update } from '../state/store';

/** How long typing must pause before the draft goes to the server (Mattermost's web app waits about as long). */
export const DRAFT_SAVE_DELAY_MS = 500;

const storageKey = (userId: string) => `mmchat.drafts.${userId}`;
const timers = new Map<string, ReturnType<typeof setTimeout>>();
const queues = new Map<string, Promise<void>>();

const synced = (): boolean => enabled(store.get().config.client, 'AllowSyncedDrafts');

/** Reads the browser's drafts (once per user) and the server's drafts of the team (once per sign-in). */
export async function restoreDrafts(teamId: string): Promise<void> {
  const userId = currentUserId(store.get().session);
  if (!userId) return;
  if (store.get().drafts.localUser !== userId) {
    const local = parseDrafts(readStorage(storageKey(userId)));
    update('drafts', (s) => restoredLocal(s, userId, local));
  }
  if (!synced() || store.get().drafts.syncedTeams.includes(teamId)) return;
  const drafts = await client.getUserDrafts(teamId).catch(() => [] as ServerDraft[]);
  update('drafts', (s) => receivedServerDrafts(s, teamId, drafts));
}

/** The composer's text changed: kept now, sent to the server after a pause. */
export function saveDraft(channelId: string, rootId: string, message: string): void {
  const key = draftKey(channelId, rootId);
  update('drafts', (s) => draftChanged(s, key, message, Date.now()));
  persistLocal();
  if (!synced()) return;
  clearTimeout(timers.get(key));
  timers.set(
    key,
    setTimeout(() => {
      timers.delete(key);
      void enqueue(key, () => upsert(channelId, rootId, message));
    }, DRAFT_SAVE_DELAY_MS),
  );
}

/**
 * The message was sent: the draft goes, here and on the server (which also drops a draft saved
 * before the post; this covers one still on its way). Resolves when the server has it.
 */
export function clearDraft(channelId: string, rootId = ''): Promise<void> {
  const key = draftKey(channelId, rootId);
  const pending = timers.get(key);
  clearTimeout(pending);
  timers.delete(key);
  const had = store.get().drafts.byKey[key]?.message;
  update('drafts', (s) => draftChanged(s, key, '', Date.now()));
  persistLocal();
  if (!synced() || (!had && !pending)) return queues.get(key) ?? Promise.resolve();
  return enqueue(key, () => client.deleteDraft(channelId, rootId, '').then(() => undefined));
}

function upsert(channelId: string, rootId: string, message: string): Promise<void> {
  const user_id = currentUserId(store.get().session);
  const draft = { user_id, channel_id: channelId, root_id: rootId, message, props: {}, file_ids: [], create_at: 0, update_at: 0, delete_at: 0 };
  return client.upsertDraft(draft, '').then(() => undefined);
}

/** Runs `work` after the key's earlier calls; a failure is dropped (the browser's copy stays). */
function enqueue(key: string, work: () => Promise<void>): Promise<void> {
  const run = (queues.get(key) ?? Promise.resolve()).then(work).catch(() => undefined);
  queues.set(key, run);
  void run.then(() => {
    if (queues.get(key) === run) queues.delete(key);
  });
  return run;
}

function persistLocal(): void {
  const { drafts, session } = store.get();
  const userId = currentUserId(session);
  if (!userId) return;
  try {
    localStorage.setItem(storageKey(userId), serializeDrafts(drafts.byKey, Date.now()));
  } catch {
    // Storage full or refused (private mode): the draft stays in memory for this visit.
  }
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
