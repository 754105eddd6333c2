import busboy from 'busboy';
import type { Request } from 'express';
import { AppError, badRequest } from '#common';
import { emojiTooLarge, MAX_EMOJI_FILE_SIZE } from './emoji.model.js';

/** The create form: the `emoji` JSON field and the `image` file's bytes (at most 1 MB, so held in memory). */
export interface EmojiForm {
  emoji?: string;
  image?: Buffer;
}

const parseError = (detail: string) => badRequest('api.emoji.create.parse.app_error', 'Unable to create emoji. Could not understand request.', detail);

/**
 * Reads POST /emoji's multipart body (api4/emoji.go createEmoji). Mattermost answers 413 when the
 * Content-Length alone is over MaxEmojiFileSize; a chunked body is cut off at the same size while
 * it streams, so no request can make the server hold more than 1 MB of it.
 */
export function readEmojiForm(req: Request): Promise<EmojiForm> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > MAX_EMOJI_FILE_SIZE) return Promise.reject(emojiTooLarge());
  if (!(req.headers['content-type'] ?? '').startsWith('multipart/form-data')) return Promise.reject(parseError('not multipart/form-data'));
  return new Promise<EmojiForm>((resolve, reject) => {
    let settled = false;
    const fail = (err: AppError) => {
      if (settled) return;
      settled = true;
      req.unpipe();
      req.resume();
      reject(err);
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_EMOJI_FILE_SIZE, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 20 } });
    } catch (err) {
      return fail(parseError(err instanceof Error ? err.message : String(err)));
    }
    const form: EmojiForm = {};
    parser.on('field', (name, value) => {
      if (name === 'emoji') form.emoji = value;
    });
    parser.on('file', (name, stream) => {
      if (name !== 'image') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => fail(emojiTooLarge()));
      stream.on('end', () => {
        if (!stream.truncated) form.image = Buffer.concat(chunks);
      });
    });
    parser.on('error', (err: unknown) => fail(parseError(err instanceof Error ? err.message : String(err))));
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(form);
    });
    req.on('error', (err) => fail(parseError(err.message)));
    req.pipe(parser);
  });
}
