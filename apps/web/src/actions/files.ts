/**
 * Uploads: each file sent on its own request (components/uploads/upload.ts) with its progress in
 * state.files, cancellable; and the drop-zone's whole gesture — upload, then post with the files.
 */
import type { FileInfo } from '@mattermost/types/files';
import { errorMessage, UserFacingError } from '../api/errors';
import { formatFileSize } from '../components/uploads/files';
import { uploadFile } from '../components/uploads/upload';
import { enabled } from '../state/config';
import { uploadFailed, uploadFinished, uploadProgressed, uploadsRemoved, uploadStarted, type UploadOwner } from '../state/files';
import { store, update } from '../state/store';
import { sendPost } from './posts';

/** Mattermost's limit of files on one post (model.MaxFilesPerPost). */
export const MAX_FILES_PER_POST = 10;

const controllers = new Map<string, AbortController>();
let counter = 0;

/** What stops files from being uploaded here at all (attachments off, too many, too large), or ''. */
export function uploadRefusal(files: File[]): string {
  const config = store.get().config.client;
  if (config.EnableFileAttachments !== undefined && !enabled(config, 'EnableFileAttachments')) return 'File attachments are turned off on this server.';
  if (files.length > MAX_FILES_PER_POST) return `You can attach up to ${MAX_FILES_PER_POST} files to a message.`;
  const max = Number(config.MaxFileSize);
  const big = max > 0 ? files.find((f) => f.size > max) : undefined;
  if (big) return `${big.name} is larger than ${formatFileSize(max)}, the largest file this server takes.`;
  return '';
}

/**
 * Uploads files to a channel (or a thread's channel, for a reply), each tracked in state.files
 * under a client id; resolves with the client ids, in order, once every upload has ended (failed
 * ones keep their error in the state for the progress list to show).
 */
export async function startUploads(channelId: string, rootId: string, files: File[], owner: UploadOwner = 'composer'): Promise<string[]> {
  const refusal = uploadRefusal(files);
  if (refusal) throw new UserFacingError(refusal);
  const ids = files.map(() => `upload-${Date.now().toString(36)}-${++counter}`);
  await Promise.all(files.map((file, i) => uploadOne({ channelId, rootId, owner, file, clientId: ids[i]! })));
  return ids;
}

async function uploadOne({
  channelId,
  rootId,
  owner,
  file,
  clientId,
}: {
  channelId: string;
  rootId: string;
  owner: UploadOwner;
  file: File;
  clientId: string;
}): Promise<void> {
  const controller = new AbortController();
  controllers.set(clientId, controller);
  update('files', (s) => uploadStarted(s, { clientId, channelId, rootId, owner, name: file.name, size: file.size }));
  try {
    const info = await uploadFile({
      channelId,
      file,
      clientId,
      signal: controller.signal,
      onProgress: (loaded) => update('files', (s) => uploadProgressed(s, clientId, loaded)),
    });
    update('files', (s) => uploadFinished(s, clientId, info));
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') update('files', (s) => uploadsRemoved(s, [clientId]));
    else update('files', (s) => uploadFailed(s, clientId, errorMessage(err)));
  } finally {
    controllers.delete(clientId);
  }
}

/** Stops an upload (or forgets a finished or failed one). */
export function cancelUpload(clientId: string): void {
  controllers.get(clientId)?.abort();
  update('files', (s) => uploadsRemoved(s, [clientId]));
}

/** Forgets uploads (a composer's, once its message is sent with them). */
export function clearUploads(clientIds: string[]): void {
  update('files', (s) => uploadsRemoved(s, clientIds));
}

/** The FileInfos of finished uploads, in the order given. */
export function uploadedFiles(clientIds: string[]): FileInfo[] {
  const uploads = store.get().files.uploads;
  return clientIds.map((id) => uploads[id]?.file).filter((f): f is FileInfo => !!f);
}

/**
 * Files dropped on a channel or a thread: uploaded, then posted together (with an empty message,
 * as Mattermost posts files alone); the finished uploads leave the progress list once posted,
 * failed ones stay there with their error until dismissed.
 */
export async function postFiles(channelId: string, rootId: string, files: File[]): Promise<void> {
  const ids = await startUploads(channelId, rootId, files, 'drop');
  const infos = uploadedFiles(ids);
  if (infos.length === 0) return;
  await sendPost(channelId, '', { rootId, files: infos });
  update('files', (s) =>
    uploadsRemoved(
      s,
      ids.filter((id) => s.uploads[id]?.status === 'done'),
    ),
  );
}
