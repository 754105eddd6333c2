import type { FileInfo } from '@mattermost/types/files';
import { useMemo } from 'react';
import { cancelUpload, clearUploads, startUploads } from '../../actions/files';
import { uploadsFor, type Upload } from '../../state/files';
import { useAppState } from '../../state/store';

export interface FileUploads {
  /** This composer's uploads, for <UploadProgress>. */
  uploads: Upload[];
  /** Starts uploading files (picked, pasted or dropped on the composer); rejects with a message when refused (too many, too large). */
  add: (files: File[]) => Promise<string[]>;
  /** Cancels an upload, or removes a finished or failed one. */
  cancel: (clientId: string) => void;
  /** The finished files: send them with the message, sendPost(channel, text, { rootId, files: ready }). */
  ready: FileInfo[];
  /** Whether an upload is still running (the composer may wait before sending). */
  busy: boolean;
  /** Forgets the finished uploads once the message has gone with them. */
  clear: () => void;
}

/**
 * A composer's uploads (the slot web-compose's composer uses): files uploaded with progress into
 * its channel, or its thread when `rootId` is given, kept until the message is sent.
 */
export function useFileUploads(channelId: string, rootId = ''): FileUploads {
  const files = useAppState((s) => s.files);
  const uploads = useMemo(() => uploadsFor(files, 'composer', channelId, rootId), [files, channelId, rootId]);
  return useMemo(() => {
    const done = uploads.filter((u) => u.status === 'done' && u.file);
    return {
      uploads,
      add: (list: File[]) => startUploads(channelId, rootId, list, 'composer'),
      cancel: cancelUpload,
      ready: done.map((u) => u.file!),
      busy: uploads.some((u) => u.status === 'uploading'),
      clear: () => clearUploads(done.map((u) => u.clientId)),
    };
  }, [uploads, channelId, rootId]);
}
