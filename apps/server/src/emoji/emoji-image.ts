import sharp, { type Metadata } from 'sharp';
import { badRequest } from '#common';
import { inDecodeSlot } from '../common/images.js';
import { MAX_EMOJI_ORIGINAL_SIDE, MAX_EMOJI_SIDE } from './emoji.model.js';

const FORMATS: Record<string, string> = { gif: 'image/gif', png: 'image/png', jpeg: 'image/jpeg' };

const notAnImage = (detail: string) => badRequest('api.emoji.upload.image.app_error', 'Unable to create emoji. File must be a PNG, JPEG, or GIF.', detail);

/**
 * Checks and prepares an emoji image as app/emoji.go uploadEmojiImage does: only GIF, PNG or JPEG;
 * the size read from the header first, so an image over 1028 px on a side (a decompression bomb
 * among them) is refused before a pixel is decoded; over 128 px it is scaled down to fit 128×128,
 * every frame of an animated GIF kept. sharp's limitInputPixels bounds any decoding that follows,
 * which runs in one of the node's decode slots (`decoders`, MaxImageDecoderConcurrency) as
 * attachments and pictures do: Mattermost's emoji uploads share its one image decoder.
 */
export async function prepareEmojiImage(data: Buffer, decoders: number): Promise<Buffer> {
  const limitInputPixels = MAX_EMOJI_ORIGINAL_SIDE * MAX_EMOJI_ORIGINAL_SIDE;
  let meta: Metadata;
  try {
    // Header only: no pixel is decoded here, so the size check below can answer with its own error.
    meta = await sharp(data, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw notAnImage(err instanceof Error ? err.message : String(err));
  }
  if (!meta.format || !FORMATS[meta.format] || !meta.width || !meta.height) throw notAnImage(`format=${meta.format ?? ''}`);
  const height = meta.pageHeight ?? meta.height;
  if (meta.width > MAX_EMOJI_ORIGINAL_SIDE || height > MAX_EMOJI_ORIGINAL_SIDE) {
    throw badRequest(
      'api.emoji.upload.large_image.too_large.app_error',
      `Unable to create emoji. Image must be at most ${MAX_EMOJI_ORIGINAL_SIDE} by ${MAX_EMOJI_ORIGINAL_SIDE} pixels.`,
      `width=${meta.width} height=${height}`,
    );
  }
  const format = meta.format;
  const pages = Math.max(1, meta.pages ?? 1);
  const small = meta.width <= MAX_EMOJI_SIDE && height <= MAX_EMOJI_SIDE;
  return inDecodeSlot(decoders, async () => {
    try {
      const image = sharp(data, { limitInputPixels: limitInputPixels * pages, animated: format === 'gif', failOn: 'error' });
      if (small) {
        // Decoded once in full so that a truncated or corrupt file is refused now, not when drawn.
        await image.raw().toBuffer();
        return data;
      }
      const resized = image.resize(MAX_EMOJI_SIDE, MAX_EMOJI_SIDE, { fit: 'inside' });
      return await (format === 'gif' ? resized.gif() : format === 'png' ? resized.png() : resized.jpeg()).toBuffer();
    } catch (err) {
      throw notAnImage(err instanceof Error ? err.message : String(err));
    }
  });
}

/** The content type of a stored emoji image, from its first bytes. */
export function emojiImageType(data: Buffer): string {
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return FORMATS.gif;
  if (data[0] === 0x89 && data.subarray(1, 4).toString('latin1') === 'PNG') return FORMATS.png;
  if (data[0] === 0xff && data[1] === 0xd8) return FORMATS.jpeg;
  return 'application/octet-stream';
}
