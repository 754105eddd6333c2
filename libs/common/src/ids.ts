import { randomFillSync } from 'node:crypto';

// Mattermost ids: 16 random bytes in base32 with this alphabet, no padding → 26 lowercase chars.
const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

// Random bytes are drawn from the CSPRNG 4 KiB at a time and handed out 16 by 16: one
// randomBytes(16) per id cost a call into OpenSSL and a new Buffer each (about 2 % of a node's CPU
// at capacity, bench:capacity's profile). Each id still takes bytes no other id gets.
const POOL = Buffer.alloc(4096);
let offset = POOL.length;

function nextRandom16(): Buffer {
  if (offset + 16 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const bytes = Buffer.from(POOL.subarray(offset, offset + 16));
  offset += 16;
  return bytes;
}

export function newId(): string {
  const bytes = nextRandom16();
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // UUIDv4 version bits, as model.NewId
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Same rule as model.IsValidId: 26 alphanumeric characters. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && value.length === 26 && /^[a-zA-Z0-9]+$/.test(value);
}

export function nowMillis(): number {
  return Date.now();
}
