import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

const SIZE = 128;

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

// The picture depends only on the id and is asked for on every avatar shown: build it once.
const MAX_CACHED = 20_000;
const cache = new Map<string, Buffer>();

/**
 * The default profile picture: a 128×128 PNG in a colour derived from the user id, with a lighter
 * square in the middle, so that users are told apart before they upload a picture.
 */
export function defaultProfileImage(userId: string): Buffer {
  let png = cache.get(userId);
  if (!png) {
    png = renderProfileImage(userId);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(userId, png);
  }
  return png;
}

function renderProfileImage(userId: string): Buffer {
  const [r, g, b] = createHash('sha1').update(userId).digest();
  const rows: Buffer[] = [];
  for (let y = 0; y < SIZE; y++) {
    const row = Buffer.alloc(1 + SIZE * 3); // filter byte 0, then RGB
    for (let x = 0; x < SIZE; x++) {
      const inner = x > SIZE / 4 && x < (3 * SIZE) / 4 && y > SIZE / 4 && y < (3 * SIZE) / 4;
      const k = inner ? 0.55 : 0;
      row[1 + x * 3] = Math.round(r + (255 - r) * k);
      row[2 + x * 3] = Math.round(g + (255 - g) * k);
      row[3 + x * 3] = Math.round(b + (255 - b) * k);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
