/**
 * Uploads in progress or just finished, per channel and thread: what the progress list shows and
 * what a post then sends in file_ids. Each upload is known by its client id (the one the server
 * answers back), and keeps its FileInfo once uploaded.
 */
import type { FileInfo } from '@mattermost/types/files';

/** The drop-zone posts its files at once; a composer keeps them until its message is sent. */
export type UploadOwner = 'drop' | 'composer';

export interface Upload {
  clientId: string;
  channelId: string;
  /** The thread it is for ('' for the channel). */
  rootId: string;
  /** Which part of the screen started it, and lists it: the channel's drop-zone, or a composer. */
  owner: UploadOwner;
  name: string;
  size: number;
  loaded: number;
  status: 'uploading' | 'done' | 'failed';
  error: string;
  file?: FileInfo;
}

export interface FilesState {
  uploads: Record<string, Upload>;
}

export const initialFiles: FilesState = { uploads: {} };

export function uploadStarted(state: FilesState, upload: Pick<Upload, 'clientId' | 'channelId' | 'rootId' | 'owner' | 'name' | 'size'>): FilesState {
  return { uploads: { ...state.uploads, [upload.clientId]: { ...upload, loaded: 0, status: 'uploading', error: '' } } };
}

function changed(state: FilesState, clientId: string, change: Partial<Upload>): FilesState {
  const upload = state.uploads[clientId];
  if (!upload) return state;
  return { uploads: { ...state.uploads, [clientId]: { ...upload, ...change } } };
}

/** Progress events may come after the end (or for an upload already removed): ignored then. */
export function uploadProgressed(state: FilesState, clientId: string, loaded: number): FilesState {
  const upload = state.uploads[clientId];
  if (!upload || upload.status !== 'uploading' || loaded <= upload.loaded) return state;
  return changed(state, clientId, { loaded: Math.min(loaded, upload.size) });
}

export const uploadFinished = (state: FilesState, clientId: string, file: FileInfo): FilesState =>
  changed(state, clientId, { status: 'done', loaded: state.uploads[clientId]?.size ?? 0, file, error: '' });

export const uploadFailed = (state: FilesState, clientId: string, error: string): FilesState => changed(state, clientId, { status: 'failed', error });

export function uploadsRemoved(state: FilesState, clientIds: string[]): FilesState {
  if (!clientIds.some((id) => state.uploads[id])) return state;
  const uploads = { ...state.uploads };
  for (const id of clientIds) delete uploads[id];
  return { uploads };
}

/** The uploads of a channel (or one of its threads) that one part of the screen started, in the order they were started. */
export function uploadsFor(state: FilesState, owner: UploadOwner, channelId: string, rootId = ''): Upload[] {
  return Object.values(state.uploads).filter((u) => u.owner === owner && u.channelId === channelId && u.rootId === rootId);
}

/** Every upload one part of the screen started (the drop-zone lists its own across channels). */
export const uploadsOf = (state: FilesState, owner: UploadOwner): Upload[] => Object.values(state.uploads).filter((u) => u.owner === owner);

/** How far an upload is, 0–100. */
export const uploadPercent = (upload: Upload): number =>
  upload.size > 0 ? Math.floor((upload.loaded / upload.size) * 100) : upload.status === 'done' ? 100 : 0;
