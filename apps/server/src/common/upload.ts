import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';

/** A request body as the upload helpers read it (the controller passes the Express request). */
export interface UploadSource {
  headers: IncomingHttpHeaders;
  body: Readable;
}

export type UploadFailure = 'parse' | 'no_file' | 'too_many' | 'too_large';

export class UploadError extends Error {
  constructor(
    readonly kind: UploadFailure,
    message: string,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

/**
 * The one file of a multipart form field (Client4.uploadProfileImage and setTeamIcon send `image`),
 * in memory: these are pictures, capped at `maxBytes` (FileSettings.MaxFileSize, as Mattermost
 * compares the request's length to it). Other fields and files are drained and ignored; a second
 * file in the field is `too_many`, none `no_file`, anything that is not multipart `parse`.
 */
export function readSingleFile(src: UploadSource, field: string, maxBytes: number): Promise<Buffer> {
  const length = Number(src.headers['content-length']);
  if (Number.isFinite(length) && length > maxBytes) return Promise.reject(new UploadError('too_large', `request of ${length} bytes is over ${maxBytes}`));
  return new Promise<Buffer>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: src.headers, limits: { fileSize: maxBytes, files: 8, fields: 32 } });
    } catch (err) {
      reject(new UploadError('parse', (err as Error).message));
      return;
    }
    const chunks: Buffer[] = [];
    let files = 0;
    let failure: UploadError | undefined;
    const fail = (e: UploadError) => {
      failure ??= e;
    };
    parser.on('file', (name, stream) => {
      if (name !== field) {
        stream.resume();
        return;
      }
      files++;
      if (files > 1) {
        fail(new UploadError('too_many', `more than one file in "${field}"`));
        stream.resume();
        return;
      }
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(new UploadError('too_large', `file over ${maxBytes} bytes`)));
    });
    parser.on('error', (err: Error) => reject(failure ?? new UploadError('parse', err.message)));
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (files === 0) reject(new UploadError('no_file', `no file in "${field}"`));
      else resolve(Buffer.concat(chunks));
    });
    src.body.on('error', (err) => reject(new UploadError('parse', err.message)));
    src.body.on('aborted', () => reject(new UploadError('parse', 'the upload was cut off')));
    src.body.pipe(parser);
  });
}
