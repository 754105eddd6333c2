import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { capUtf8, looksLikeText, readText, storable } from './text-content.js';

/** A stream of `chunks` that counts how many of them were read. */
function counted(chunks: Buffer[]): { stream: Readable; read: () => number } {
  let read = 0;
  const stream = Readable.from(
    (function* () {
      for (const c of chunks) {
        read++;
        yield c;
      }
    })(),
    { objectMode: false },
  );
  return { stream, read: () => read };
}

describe('looksLikeText (Mattermost plainExtractor)', () => {
  it('takes printable text in any script, with tabs and line breaks', () => {
    expect(looksLikeText(Buffer.from('hello\tworld\r\nnaïve 日本語 — ok?'))).toBe(true);
    expect(looksLikeText(Buffer.from(''))).toBe(true);
  });

  it('refuses a NUL or another control character in the first 1024 bytes only', () => {
    expect(looksLikeText(Buffer.from('abc\u0000def'))).toBe(false);
    expect(looksLikeText(Buffer.from('abc\u0007def'))).toBe(false);
    expect(looksLikeText(Buffer.concat([Buffer.alloc(1100, 'a'), Buffer.from([0])]))).toBe(true);
  });

  it('bytes that are not UTF-8 count as a symbol (U+FFFD), as in Go; a BOM is allowed', () => {
    expect(looksLikeText(Buffer.from([0x61, 0xff, 0x62]))).toBe(true);
    expect(looksLikeText(Buffer.from('\ufeffwith a byte order mark'))).toBe(true);
  });

  it('a character cut at the end of the sniffed bytes does not make text binary', () => {
    const head = Buffer.concat([Buffer.alloc(1022, 'a'), Buffer.from('€')]).subarray(0, 1024);
    expect(looksLikeText(head)).toBe(true);
  });
});

describe('readText', () => {
  it('reads a text file whole when it is under the cap, without the BOM', async () => {
    expect(await readText(Readable.from([Buffer.from('\ufeffline one\n'), Buffer.from('line two')]))).toBe('line one\nline two');
  });

  it('stops at the cap and never keeps half a character', async () => {
    const text = 'ab€'.repeat(1000); // 5 bytes each
    expect(await readText(Readable.from([Buffer.from(text)]), 2003)).toBe('ab€'.repeat(400) + 'ab');
  });

  it('drops a binary file after its first bytes without reading the rest', async () => {
    const chunks = [
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), Buffer.alloc(2000, 1)]),
      ...Array.from({ length: 50 }, () => Buffer.alloc(1000, 7)),
    ];
    const { stream, read } = counted(chunks);
    expect(await readText(stream)).toBeUndefined();
    expect(read()).toBeLessThan(5);
  });
});

describe('capUtf8 and storable', () => {
  it('cuts to whole characters within the byte budget', () => {
    expect(capUtf8('short')).toBe('short');
    expect(capUtf8('éééé', 5)).toBe('éé');
    expect(Buffer.byteLength(capUtf8('😀'.repeat(10), 9))).toBe(8);
  });

  it('removes NUL characters, which PostgreSQL text cannot hold', () => {
    expect(storable('a\u0000b')).toBe('ab');
  });
});
