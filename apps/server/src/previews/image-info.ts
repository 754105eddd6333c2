import { imageSize } from 'image-size';

/** model.PostImage: what `metadata.images[url]` holds for an image a post shows. */
export interface PostImage {
  width: number;
  height: number;
  format: string;
  frame_count: number;
}

/**
 * The formats Mattermost's image.DecodeConfig reads (Go's png, jpeg, gif, bmp, webp, tiff
 * decoders), under Go's names; anything else has no dimensions and no preview.
 */
const FORMATS: Record<string, string> = { png: 'png', jpg: 'jpeg', gif: 'gif', bmp: 'bmp', webp: 'webp', tiff: 'tiff', svg: 'svg' };

export type ImageProbe = { image: PostImage | null } | { needMore: true } | { error: string };

/**
 * Dimensions from the bytes read so far (parseImages). Needs more bytes until the header is in,
 * and a GIF's whole body for its frame count. EXIF orientations that turn the picture a quarter
 * swap width and height, as Mattermost does; a TIFF gives no image (Mattermost drops it).
 */
export function probeImage(bytes: Uint8Array, complete: boolean): ImageProbe {
  let size: ReturnType<typeof imageSize>;
  try {
    size = imageSize(bytes);
  } catch (err) {
    return complete ? { error: (err as Error).message } : { needMore: true };
  }
  const format = FORMATS[size.type ?? ''];
  if (!format) return { error: `unsupported image format ${size.type}` };
  if (format === 'gif' && !complete) return { needMore: true };
  let { width, height } = size;
  if (format === 'jpeg' && size.orientation !== undefined && size.orientation >= 5 && size.orientation <= 8) [width, height] = [height, width];
  if (format === 'tiff') return { image: null };
  const frameCount = format === 'gif' ? countGifFrames(bytes) : 0;
  return { image: { width, height, format, frame_count: frameCount } };
}

/**
 * Image descriptors in a GIF (imgutils.CountGIFFrames), walking its blocks: header, logical
 * screen and global colour table, then extensions and images until the trailer. A file cut short
 * counts the frames it holds.
 */
export function countGifFrames(bytes: Uint8Array): number {
  if (bytes.length < 13) return 0;
  let at = 13;
  if (bytes[10] & 0x80) at += 3 * (1 << ((bytes[10] & 0x07) + 1));
  let frames = 0;
  const skipSubBlocks = () => {
    while (at < bytes.length && bytes[at] !== 0) at += bytes[at] + 1;
    at += 1;
  };
  while (at < bytes.length) {
    const block = bytes[at];
    if (block === 0x3b) break;
    if (block === 0x21) {
      at += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      if (at + 10 > bytes.length) break;
      frames++;
      const packed = bytes[at + 9];
      at += 10;
      if (packed & 0x80) at += 3 * (1 << ((packed & 0x07) + 1));
      at += 1; // LZW minimum code size
      skipSubBlocks();
    } else {
      break;
    }
  }
  return frames;
}

/** The first bytes of the common image formats, for responses that do not say what they are. */
export function sniffContentType(bytes: Uint8Array): string {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'image/gif';
  if (starts(0x42, 0x4d)) return 'image/bmp';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes[8] === 0x57 && bytes[9] === 0x45 && bytes[10] === 0x42 && bytes[11] === 0x50) return 'image/webp';
  const head = Buffer.from(bytes.subarray(0, 512)).toString('latin1').trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<head') || head.startsWith('<meta')) return 'text/html; charset=utf-8';
  if (head.includes('<svg')) return 'image/svg+xml';
  return 'application/octet-stream';
}
