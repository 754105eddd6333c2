import sharp, { type Metadata } from 'sharp';

/**
 * The one "decode an uploaded image safely, resize, encode" pipeline (sharp). Profile pictures and
 * team icons use it today; attachments' thumbnails and previews and custom emoji can share
 * `readImageHeader`'s limit check the same way.
 *
 * Why the header is read first: Mattermost's checkImageLimits refuses an image whose header
 * announces more than FileSettings.MaxImageResolution pixels before decoding anything, so a small
 * file that inflates to gigabytes (a decompression bomb) never reaches the decoder. sharp's
 * `limitInputPixels` is the same limit again inside the decoder, in case the header lied.
 */

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
export async function squarePng(input: Buffer, size: number, maxPixels: number): Promise<Buffer> {
  await readImageHeader(input, maxPixels);
  try {
    return await sharp(input, { limitInputPixels: maxPixels })
      .rotate()
      .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'lanczos3' })
      .png()
      .toBuffer();
  } catch (err) {
    const message = (err as Error).message;
    throw new ImageError(/exceeds pixel limit/i.test(message) ? 'limits' : 'decode', `cannot decode the image: ${message}`);
  }
}
