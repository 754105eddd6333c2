import sharp, { type Metadata } from 'sharp';
import { decoderLimit, imageDecodeSlots } from './image-decoders.js';

/**
 * What every upload of an image shares, whatever it becomes (attachments' thumbnails and previews
 * in files/images.ts, profile pictures and team icons here, custom emoji in emoji/emoji-image.ts):
 *
 * - the pixel limit, read from the header first: Mattermost's checkImageLimits refuses an image
 *   whose header announces more than FileSettings.MaxImageResolution pixels before decoding
 *   anything, so a small file that inflates to gigabytes (a decompression bomb) never reaches the
 *   decoder; sharp's `limitInputPixels` is the same limit again inside the decoder, in case the
 *   header lied, and its refusal is told apart from other decode failures (isPixelLimitError);
 * - one of the node's decode slots (FileSettings.MaxImageDecoderConcurrency, image-decoders.ts),
 *   held while the image is decoded, as Mattermost's one decoder serves all three.
 */

/** What an image may cost: at most `maxPixels` (MaxImageResolution), decoded in one of `decoders` slots. */
export interface DecodeLimits {
  maxPixels: number;
  /** Images decoded at once on this node (MaxImageDecoderConcurrency resolved: decoderLimit()). */
  decoders: number;
}

/** The decode limits of FileSettings. */
export function decodeLimits(files: { MaxImageResolution: number; MaxImageDecoderConcurrency: number }): DecodeLimits {
  return { maxPixels: files.MaxImageResolution, decoders: decoderLimit(files.MaxImageDecoderConcurrency) };
}

/** Runs `decode` in one of the node's decode slots (it waits while `decoders` others run). */
export function inDecodeSlot<T>(decoders: number, decode: () => Promise<T>): Promise<T> {
  return imageDecodeSlots.run(decoders, decode);
}

/** sharp refused to decode more pixels than its limitInputPixels ("Input image exceeds pixel limit"). */
export function isPixelLimitError(err: unknown): boolean {
  return /exceeds pixel limit/i.test(err instanceof Error ? err.message : String(err));
}

export type ImageFailure = 'limits' | 'decode' | 'encode';

export class ImageError extends Error {
  constructor(
    readonly kind: ImageFailure,
    message: string,
  ) {
    super(message);
    this.name = 'ImageError';
  }
}

export interface ImageHeader {
  format: string;
  width: number;
  height: number;
}

/** The image's format and size from its header; `limits` when it has more than `maxPixels` pixels. */
export async function readImageHeader(input: Buffer, maxPixels: number): Promise<ImageHeader> {
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (err) {
    throw new ImageError('decode', `not an image: ${(err as Error).message}`);
  }
  const { format, width, height } = meta;
  if (!format || !width || !height) throw new ImageError('decode', 'not an image: no size in its header');
  if (width * height > maxPixels) throw new ImageError('limits', `image of ${width}x${height} pixels is more than ${maxPixels} pixels`);
  return { format, width, height };
}

/**
 * A size×size PNG filled from the centre of the image (Mattermost's imaging.FillCenter with
 * Lanczos), upright as its EXIF orientation says. A truncated or corrupt file is a `decode` failure
 * (sharp's default failOn 'warning' refuses a JPEG that ends early), never a half-grey picture.
 */
export async function squarePng(input: Buffer, size: number, limits: DecodeLimits): Promise<Buffer> {
  await readImageHeader(input, limits.maxPixels);
  return inDecodeSlot(limits.decoders, async () => {
    try {
      return await sharp(input, { limitInputPixels: limits.maxPixels })
        .rotate()
        .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
        .png()
        .toBuffer();
    } catch (err) {
      throw new ImageError(isPixelLimitError(err) ? 'limits' : 'decode', `cannot decode the image: ${(err as Error).message}`);
    }
  });
}
