import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { badRequest } from '#common';

/** The request of POST /uploads/{id}: its headers and its body, unread. */
export interface ChunkRequest {
  headers: IncomingHttpHeaders;
  body: Readable;
}

/** How a chunk arrives (api4/upload.go doUploadData): a multipart body's first file, or the raw body. */
export type ChunkForm = { multipart: true } | { multipart: false; length: number | undefined };

const invalidContentType = (detail: string) =>
  badRequest('api.upload.upload_data.invalid_content_type', 'Invalid Content-Type for a multipart upload.', detail);
const multipartError = (detail: string) => badRequest('api.upload.upload_data.multipart_error', 'Unable to read the multipart upload.', detail);

/**
 * The form of a chunk from its headers, before a byte is read. A multipart type must carry its
 * boundary and well-formed parameters (Go's mime.ParseMediaType refuses `multipart/form-data;`);
 * any other type is the raw form, whose Content-Length must not pass the bytes still missing.
 */
export function chunkForm(headers: IncomingHttpHeaders, missing: number): ChunkForm {
  const type = headers['content-type'] ?? '';
  const [media, ...params] = type.split(';');
  if (/^multipart\/(form-data|mixed)$/i.test(media.trim())) {
    if (params.some((p) => !/^\s*[^=\s]+\s*=\s*\S/.test(p))) throw invalidContentType('malformed media parameter');
    if (!params.some((p) => /^\s*boundary\s*=/i.test(p))) throw invalidContentType('no boundary');
    return { multipart: true };
  }
  const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  if (length !== undefined && length > missing) {
    throw badRequest('api.upload.upload_data.invalid_content_length', 'The request body is longer than the rest of the upload.');
  }
  return { multipart: false, length };
}

/** Ended before the whole body came: the client went away or the connection broke. */
export class ChunkCutOff extends Error {
  constructor() {
    super('the request ended before its body');
  }
}

/**
 * The chunk's bytes as a stream: the raw body itself, or the first file part of a multipart body
 * (later parts are read and dropped). A body cut off midway makes the stream fail with
 * ChunkCutOff after the bytes that did arrive, so the caller can keep those.
 */
export function chunkStream(req: ChunkRequest, form: ChunkForm): Promise<Readable> {
  if (!form.multipart) return Promise.resolve(req.body);
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fields: 100, parts: 200 } });
  } catch (err) {
    return Promise.reject(invalidContentType(String(err)));
  }
  return new Promise<Readable>((resolve, reject) => {
    let file: Readable | undefined;
    const fail = (err: Error) => {
      if (file) file.destroy(err);
      else reject(err);
    };
    parser.on('file', (_name, stream) => {
      if (file) return void stream.resume();
      file = stream;
      resolve(stream);
    });
    parser.on('error', (err) => fail(file ? new ChunkCutOff() : multipartError(String(err))));
    parser.on('close', () => {
      if (!file) reject(multipartError('no file in the form'));
    });
    // A broken connection does not end the pipe: busboy would wait for the rest forever.
    req.body.on('close', () => {
      if (!(req.body as Readable & { complete?: boolean }).complete) fail(new ChunkCutOff());
    });
    req.body.pipe(parser);
  });
}
