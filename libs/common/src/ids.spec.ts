import { describe, expect, it } from 'vitest';
import { isValidId, newId, nowMillis } from './ids.js';

const ALPHABET = 'ybndrfg8ejkmcpqxot1uwisza345h769';

/** Base32 (MSB first, this alphabet, no padding) back to bytes, independent of the encoder. */
function decode(id: string): number[] {
  let bits = '';
  for (const ch of id) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`bad char ${ch}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return bytes;
}

describe('newId', () => {
  it('is 26 characters of the Mattermost alphabet', () => {
    for (let i = 0; i < 500; i++) {
      const id = newId();
      expect(id).toHaveLength(26);
      expect(id).toMatch(/^[ybndrfg8ejkmcpqxot1uwisza345h769]{26}$/);
    }
  });

  it('is unique over many draws', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20000; i++) seen.add(newId());
    expect(seen.size).toBe(20000);
  });

  it('encodes 16 bytes with the UUIDv4 version and variant bits set, and no stray trailing bits', () => {
    for (let i = 0; i < 500; i++) {
      const id = newId();
      const bytes = decode(id);
      expect(bytes).toHaveLength(16);
      expect(bytes[6] >> 4).toBe(4);
      expect(bytes[8] >> 6).toBe(0b10);
      // 128 bits in 26 chars leaves 2 padding bits in the last char; they must be zero.
      expect(ALPHABET.indexOf(id[25]) & 0b11).toBe(0);
    }
  });

  it('uses the randomness: every position varies and every character shows up', () => {
    const ids = Array.from({ length: 2000 }, newId);
    const chars = new Set(ids.join(''));
    expect(chars.size).toBe(32);
    // Chars 9 and 10 each hold 2 version bits, 12 and 13 one variant bit each, so fewer values show up there.
    const expected = (pos: number) => (pos === 9 || pos === 10 ? 8 : pos === 12 || pos === 13 ? 16 : 32);
    for (let pos = 0; pos < 25; pos++) {
      expect(new Set(ids.map((id) => id[pos])).size).toBe(expected(pos));
    }
  });

  it('is accepted by isValidId', () => {
    expect(isValidId(newId())).toBe(true);
  });
});

describe('isValidId', () => {
  it.each([['abcdefghijklmnopqrstuvwxyz'], ['ABCDEFGHIJKLMNOPQRSTUVWXYZ'], ['0123456789abcdefghijklmnop']])('accepts %j', (value) => {
    expect(isValidId(value)).toBe(true);
  });

  it.each([
    [''],
    ['abcdefghijklmnopqrstuvwxy'],
    ['abcdefghijklmnopqrstuvwxyz0'],
    ['abcdefghijklmnopqrstuvwxy-'],
    ['abcdefghijklmnopqrstuvwxy_'],
    ['abcdefghijklmnopqrstuvwxy '],
    ['me'],
    [null],
    [undefined],
    [12345678901234567890123456],
    [['abcdefghijklmnopqrstuvwxyz']],
    [{}],
  ])('refuses %j', (value) => {
    expect(isValidId(value)).toBe(false);
  });
});

describe('nowMillis', () => {
  it('is the current time in milliseconds', () => {
    const before = Date.now();
    const now = nowMillis();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    expect(Number.isInteger(now)).toBe(true);
  });
});
