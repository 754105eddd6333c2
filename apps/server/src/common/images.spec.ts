import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ImageError, readImageHeader, squarePng } from './images.js';
import { readSingleFile, UploadError } from './upload.js';

const limits = (maxPixels: number) => ({ maxPixels, decoders: 2 });
const solid = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: { r: 10, g: 200, b: 30 } } });
const kindOf = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return err instanceof ImageError || err instanceof UploadError ? err.kind : err;
};

describe('squarePng', () => {
  it('fills a square from the centre of a wide image, as a PNG', async () => {
    const png = await squarePng(await solid(300, 100).jpeg().toBuffer(), 128, limits(1_000_000));
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 128, height: 128 });
  });

  it('refuses more pixels than the limit from the header, before decoding', async () => {
    const png = await solid(2000, 1000).png().toBuffer();
    expect(await kindOf(readImageHeader(png, 1_999_999))).toBe('limits');
    expect(await kindOf(squarePng(png, 128, limits(1_999_999)))).toBe('limits');
    expect(await readImageHeader(png, 2_000_000)).toEqual({ format: 'png', width: 2000, height: 1000 });
  });

  it('refuses what is not an image, and a truncated JPEG', async () => {
    expect(await kindOf(squarePng(Buffer.from('hello'), 128, limits(1_000_000)))).toBe('decode');
    const jpeg = await solid(400, 300).jpeg().toBuffer();
    expect(await kindOf(squarePng(jpeg.subarray(0, jpeg.length >> 1), 128, limits(1_000_000)))).toBe('decode');
  });
});

describe('readSingleFile', () => {
  const form = (parts: Array<{ name: string; filename?: string; data: string }>) => {
    const boundary = 'XyZ';
    const body = parts
      .map((p) => `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n\r\n${p.data}\r\n`)
      .join('');
    const raw = Buffer.from(`${body}--${boundary}--\r\n`);
    return { headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(raw.length) }, body: Readable.from([raw]) };
  };

  it('returns the one file of the field and ignores the rest', async () => {
    const src = form([
      { name: 'other', data: 'x' },
      { name: 'image', filename: 'a.png', data: 'picture' },
    ]);
    expect((await readSingleFile(src, 'image', 1000)).toString()).toBe('picture');
  });

  it('names what is wrong: no file, two files, too large, not multipart', async () => {
    expect(await kindOf(readSingleFile(form([{ name: 'other', filename: 'a', data: 'x' }]), 'image', 1000))).toBe('no_file');
    const two = form([
      { name: 'image', filename: 'a', data: 'x' },
      { name: 'image', filename: 'b', data: 'y' },
    ]);
    expect(await kindOf(readSingleFile(two, 'image', 1000))).toBe('too_many');
    expect(await kindOf(readSingleFile(form([{ name: 'image', filename: 'a', data: 'x'.repeat(500) }]), 'image', 100))).toBe('too_large');
    const big = form([{ name: 'image', filename: 'a', data: 'x'.repeat(500) }]);
    delete (big.headers as Record<string, string>)['content-length'];
    expect(await kindOf(readSingleFile(big, 'image', 100))).toBe('too_large');
    expect(await kindOf(readSingleFile({ headers: { 'content-type': 'application/json' }, body: Readable.from(['{}']) }, 'image', 100))).toBe('parse');
  });
});
