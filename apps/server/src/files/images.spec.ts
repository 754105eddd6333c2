import { availableParallelism } from 'node:os';
import { Readable } from 'node:stream';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decoderLimit, DecodeSlots } from '../common/image-decoders.js';
import { decodeLimits } from '../common/images.js';
import { processImage } from './images.js';

let png: Buffer;

beforeAll(async () => {
  png = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#3366cc' } })
    .png()
    .toBuffer();
});

/** An image as a stream that notes in `events` when processImage first reads it. */
function tracked(name: string, events: string[]): Readable {
  let started = false;
  return new Readable({
    read() {
      if (!started) events.push(`read ${name}`);
      started = true;
      this.push(png);
      this.push(null);
    },
  });
}

describe('processImage and MaxImageDecoderConcurrency', () => {
  it('with one decoder, reads the next image only once the one before is done', async () => {
    const events: string[] = [];
    const slots = new DecodeSlots();
    await Promise.all(
      ['a', 'b', 'c'].map((name) =>
        processImage(tracked(name, events), { maxPixels: 10_000_000, decoders: 1 }, slots).then((out) => {
          expect(out).toMatchObject({ width: 640, height: 480 });
          events.push(`done ${name}`);
        }),
      ),
    );
    expect(events).toEqual(['read a', 'done a', 'read b', 'done b', 'read c', 'done c']);
  });

  it('with two decoders, works on two images at a time and queues the rest', async () => {
    const slots = new DecodeSlots();
    let most = 0;
    const work = Array.from({ length: 5 }, () => processImage(Readable.from([png]), { maxPixels: 10_000_000, decoders: 2 }, slots));
    const watch = setInterval(() => (most = Math.max(most, slots.load.running)), 1);
    expect(slots.load).toEqual({ running: 2, waiting: 3 });
    await Promise.all(work);
    clearInterval(watch);
    expect(most).toBe(2);
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it('frees its slot when an image is refused', async () => {
    const slots = new DecodeSlots();
    await expect(processImage(Readable.from([Buffer.from('not an image')]), { maxPixels: 10_000_000, decoders: 1 }, slots)).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(processImage(Readable.from([png]), { maxPixels: 1000, decoders: 1 }, slots)).rejects.toMatchObject({ statusCode: 400 });
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
    expect((await processImage(Readable.from([png]), { maxPixels: 10_000_000, decoders: 1 }, slots)).width).toBe(640);
  });

  it('reads -1 as one decoder per CPU, as Mattermost', () => {
    expect(decoderLimit(-1)).toBe(availableParallelism());
    expect(decoderLimit(3)).toBe(3);
    expect(decodeLimits({ MaxImageResolution: 33177600, MaxImageDecoderConcurrency: 2 })).toEqual({ maxPixels: 33177600, decoders: 2 });
  });
});
