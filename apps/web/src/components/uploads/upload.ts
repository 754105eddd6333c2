/**
 * Uploading a file (POST /api/v4/files) with progress, which fetch cannot report: an
 * XMLHttpRequest sent as Client4 sends its calls (api/client.ts) — the session cookie, the
 * X-Requested-With header, and the MMCSRF cookie's token in X-CSRF-Token — with the multipart
 * body Mattermost's web app sends: channel_id first, then the file and its client id.
 */
import type { FileInfo, FileUploadResponse } from '@mattermost/types/files';
import type { ApiError } from '../../api/errors';

export interface UploadOptions {
  channelId: string;
  file: File;
  /** The id the app tracks the upload by (client_ids: the server answers it back). */
  clientId: string;
  onProgress?: (loaded: number, total: number) => void;
  /** Aborting cancels the upload (the promise rejects with an AbortError). */
  signal?: AbortSignal;
}

/** The CSRF token the server set in the MMCSRF cookie (what Client4 sends on every change), or ''. */
export function csrfToken(cookie: string): string {
  for (const part of cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'MMCSRF') return value.join('=');
  }
  return '';
}

/** The error of a failed upload, shaped as Client4's (the server's message and id when it sent JSON). */
export function uploadError(status: number, body: string): ApiError {
  let parsed: { message?: unknown; id?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    // Not JSON (a proxy's page): the status says it.
  }
  const message =
    typeof parsed.message === 'string' && parsed.message
      ? parsed.message
      : status === 413
        ? 'The file is too large to upload.'
        : status === 0
          ? 'The upload failed. Check your connection and try again.'
          : `The upload failed (HTTP ${status}).`;
  return { message, status_code: status, server_error_id: typeof parsed.id === 'string' ? parsed.id : undefined };
}

/** Uploads one file to a channel; resolves with its FileInfo (not yet on a post: send its id in file_ids). */
export function uploadFile({ channelId, file, clientId, onProgress, signal }: UploadOptions): Promise<FileInfo> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v4/files');
    xhr.withCredentials = true;
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    const csrf = csrfToken(document.cookie);
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded, e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          const answer = JSON.parse(xhr.responseText) as FileUploadResponse;
          const info = answer.file_infos?.[0];
          if (info) {
            resolve(info);
            return;
          }
        } catch {
          // Fall through: an answer without the file is a failure.
        }
      }
      reject(uploadError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(uploadError(0, ''));
    xhr.onabort = () => reject(new DOMException('The upload was cancelled.', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('client_ids', clientId);
    form.append('files', file, file.name);
    xhr.send(form);
  });
}
