import type { Readable } from 'node:stream';

/** Mattermost's maxContentExtractionSize: the most extracted text a file keeps, in UTF-8 bytes. */
export const MAX_CONTENT_BYTES = 1024 * 1024;

/** How much of a file decides whether it is text (Mattermost's plainExtractor reads 1024 bytes). */
const SNIFF_BYTES = 1024;
/** A UTF-8 sequence is at most 4 bytes: the last ones of the sniffed head may be a cut character. */
const UTF_MAX = 4;

// Go's unicode.GraphicRanges (letters, marks, numbers, punctuation, symbols, space separators)
// plus unicode.White_Space. Bytes that are not UTF-8 decode to U+FFFD, a symbol, as in Go.
const GRAPHIC_OR_SPACE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}\t\n\v\f\r\u0085\u2028\u2029]*$/u;

/**
 * Whether a file's first bytes are text (Mattermost's plainExtractor, which any file that is not
 * an image, a PDF or a document goes through): every character of the first 1024 bytes is
 * graphic or white space, so a NUL or another control character makes it binary. A UTF-8 byte
 * order mark is allowed.
 */
export function looksLikeText(head: Buffer): boolean {
  const checked = head.length > SNIFF_BYTES - UTF_MAX ? head.subarray(0, SNIFF_BYTES - UTF_MAX) : head;
  const text = new TextDecoder('utf-8', { ignoreBOM: false }).decode(checked, { stream: true });
  return GRAPHIC_OR_SPACE.test(text);
}

/** `text` cut to at most `maxBytes` of UTF-8, never inside a character. */
export function capUtf8(text: string, maxBytes = MAX_CONTENT_BYTES): string {
  // A character is at most 3 UTF-8 bytes per UTF-16 unit: short strings need no encoding.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  return new TextDecoder().decode(Buffer.from(text).subarray(0, maxBytes), { stream: true });
}

/** PostgreSQL's text holds no NUL character. */
export function storable(text: string): string {
  return text.replace(/\u0000/g, '');
}

/**
 * The text of a text file from its stream, reading at most `maxBytes` (the rest is never read),
 * or undefined when its first bytes are not text: the stream is then dropped after them.
 */
export async function readText(stream: Readable, maxBytes = MAX_CONTENT_BYTES): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let sniffed = false;
  try {
    for await (const chunk of stream) {
      const buf = chunk as Buffer;
      chunks.push(size + buf.length > maxBytes ? buf.subarray(0, maxBytes - size) : buf);
      size = Math.min(size + buf.length, maxBytes);
      if (!sniffed && size >= SNIFF_BYTES) {
        if (!looksLikeText(Buffer.concat(chunks))) return undefined;
        sniffed = true;
      }
      if (size >= maxBytes) break;
    }
  } finally {
    stream.destroy();
  }
  const all = Buffer.concat(chunks);
  if (!sniffed && !looksLikeText(all)) return undefined;
  // Cut at the cap: a character split there is left out rather than turned into U+FFFD.
  return new TextDecoder().decode(all, { stream: size >= maxBytes });
}
