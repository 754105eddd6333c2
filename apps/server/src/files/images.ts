import type { Readable } from 'node:stream';
import sharp, { type Sharp } from 'sharp';
import { badRequest } from '#common';
import { DecodeSlots, imageDecodeSlots } from '../common/image-decoders.js';
import { type DecodeLimits, isPixelLimitError } from '../common/images.js';

/** Mattermost's thumbnail box, preview width and mini preview size (app/file.go, imaging). */
export const THUMBNAIL_WIDTH = 120;
export const THUMBNAIL_HEIGHT = 100;
export const PREVIEW_WIDTH = 1920;
export const MINI_PREVIEW_SIZE = 16;

/** The image types sharp decodes; other images (bmp, svg, psd) are stored without previews. */
const DECODABLE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/tiff', 'image/webp']);

export function isDecodableImage(mimeType: string): boolean {
  return DECODABLE.has(mimeType);
}

export interface ImageOutputs {
  width: number;
  height: number;
  thumbnail: Buffer;
  preview: Buffer;
  miniPreview: Buffer;
}

export function imageTooLarge(width: number, height: number, max: number) {
  return badRequest(
    'api.file.upload_file.large_image_detailed.app_error',
    `The image is too large (${width}x${height} pixels, at most ${max} pixels) and cannot be uploaded.`,
  );
}

/**
 * Width, height (after EXIF orientation), thumbnail, preview and mini preview of an image read
 * from `input`, all JPEG on white as Mattermost makes them; an animated GIF gives its first frame.
 * The work waits for one of the node's decode slots (MaxImageDecoderConcurrency) before it reads
 * a byte of `input`, so a burst of image uploads queues instead of decoding all at once.
 * The header is read first: more pixels than `maxPixels` is refused before anything is decoded,
 * and sharp's limitInputPixels backs that up, so a decompression bomb never reaches memory. An
 * image that does not decode (truncated, not what its name says) is a 400, never a crash.
 */
export async function processImage(input: Readable, limits: DecodeLimits, slots: DecodeSlots = imageDecodeSlots): Promise<ImageOutputs> {
  return slots.run(limits.decoders, () => decodeAndResize(input, limits.maxPixels));
}

async function decodeAndResize(input: Readable, maxPixels: number): Promise<ImageOutputs> {
  const source = sharp({ limitInputPixels: maxPixels, failOn: 'truncated', pages: 1 });
  input.on('error', (err) => source.destroy(err));
  input.pipe(source);
  const jpeg = (img: Sharp) => img.flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer();
  const tasks = {
    meta: source.clone().metadata(),
    thumbnail: jpeg(source.clone().rotate().resize(THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT, { fit: 'inside', withoutEnlargement: true })),
    preview: jpeg(source.clone().rotate().resize({ width: PREVIEW_WIDTH, withoutEnlargement: true })),
    mini: jpeg(source.clone().rotate().resize(MINI_PREVIEW_SIZE, MINI_PREVIEW_SIZE, { fit: 'fill' })),
  };
  const settled = await Promise.allSettled([tasks.meta, tasks.thumbnail, tasks.preview, tasks.mini]);
  const meta = settled[0].status === 'fulfilled' ? settled[0].value : undefined;
  if (meta?.width && meta.height) {
    const sideways = (meta.orientation ?? 1) >= 5;
    const width = sideways ? meta.height : meta.width;
    const height = sideways ? meta.width : meta.height;
    if (width * height > maxPixels) throw imageTooLarge(width, height, maxPixels);
    if (settled.every((s) => s.status === 'fulfilled')) {
      const [, thumbnail, preview, miniPreview] = settled.map((s) => (s as PromiseFulfilledResult<Buffer>).value);
      return { width, height, thumbnail, preview, miniPreview };
    }
  }
  const reason = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
  const detail = reason?.reason instanceof Error ? reason.reason.message : '';
  if (reason && isPixelLimitError(reason.reason)) throw imageTooLarge(meta?.width ?? 0, meta?.height ?? 0, maxPixels);
  throw badRequest('api.file.upload_file.image_decode.app_error', 'The image could not be read: it is damaged or not an image.', detail);
}
