import { Readable } from 'node:stream';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { prepareEmojiImage } from '../emoji/emoji-image.js';
import { processImage } from '../files/images.js';
import { imageDecodeSlots } from './image-decoders.js';
import { squarePng } from './images.js';

describe("the node's decode slots (MaxImageDecoderConcurrency)", () => {
  it('are shared by attachments, profile pictures and team icons, and custom emoji, as Mattermost shares its one decoder', async () => {
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c03030' } })
      .png()
      .toBuffer();
    // Something else holds the only slot.
    let release!: () => void;
    const held = imageDecodeSlots.run(1, () => new Promise<void>((ok) => (release = ok)));
    const done: string[] = [];
    const work = [
      processImage(Readable.from([png]), { maxPixels: 10_000_000, decoders: 1 }).then(() => done.push('attachment')),
      squarePng(png, 128, { maxPixels: 10_000_000, decoders: 1 }).then(() => done.push('picture')),
      prepareEmojiImage(png, 1).then(() => done.push('emoji')),
    ];
    await new Promise((r) => setTimeout(r, 100));
    expect(done).toEqual([]);
    expect(imageDecodeSlots.load).toEqual({ running: 1, waiting: 3 });
    release();
    await held;
    await Promise.all(work);
    // Each finished once the slot was free (a pipeline may take the slot more than once, so their order is not fixed).
    expect(done.sort()).toEqual(['attachment', 'emoji', 'picture']);
    expect(imageDecodeSlots.load).toEqual({ running: 0, waiting: 0 });
  });
});
