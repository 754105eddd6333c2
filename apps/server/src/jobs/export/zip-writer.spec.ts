import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../../../../test/jobs/zip-reader.js';
import { ZipMethod, ZipWriter } from './zip-writer.js';

async function build(entries: Array<[string, Array<string | Buffer>, ZipMethod?]>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const zip = new ZipWriter({ write: async (c) => void chunks.push(c) });
  for (const [name, parts, method] of entries) {
    const e = await zip.entry(name, new Date(2026, 0, 2, 3, 4, 6), method);
    for (const p of parts) await e.write(p);
    await e.end();
  }
  await zip.finish();
  return Buffer.concat(chunks);
}

/** The compression method each entry's central directory record names. */
function methods(archive: Buffer): Record<string, number> {
  const eocd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = archive.readUInt32LE(eocd + 16);
  const out: Record<string, number> = {};
  for (let i = 0; i < archive.readUInt16LE(eocd + 10); i++) {
    const nameLength = archive.readUInt16LE(at + 28);
    out[archive.subarray(at + 46, at + 46 + nameLength).toString('utf8')] = archive.readUInt16LE(at + 10);
    at += 46 + nameLength + archive.readUInt16LE(at + 30) + archive.readUInt16LE(at + 32);
  }
  return out;
}

describe('ZipWriter', () => {
  it('writes entries written in many pieces that read back exactly', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `{"type":"post","n":${i},"text":"héllo ${'x'.repeat(i % 50)}"}\n`);
    const archive = await build([
      ['import.jsonl', lines],
      ['empty.txt', []],
      ['ünïcode name.txt', ['a', '', 'b']],
    ]);
    const entries = readZip(archive);
    expect([...entries.keys()]).toEqual(['import.jsonl', 'empty.txt', 'ünïcode name.txt']);
    expect(entries.get('import.jsonl')!.toString('utf8')).toBe(lines.join(''));
    expect(entries.get('empty.txt')!.length).toBe(0);
    expect(entries.get('ünïcode name.txt')!.toString()).toBe('ab');
    // It compresses.
    expect(archive.length).toBeLessThan(Buffer.byteLength(lines.join('')) / 3);
  });

  it('stores entries as they are when asked (method 0), next to deflated ones', async () => {
    const photo = randomBytes(70_000);
    const archive = await build([
      ['import.jsonl', ['{"type":"version"}\n'.repeat(100)]],
      ['data/20260102/teams/noteam/a.jpg', [photo.subarray(0, 1000), photo.subarray(1000)], 'store'],
      ['data/empty.bin', [], 'store'],
    ]);
    expect(methods(archive)).toEqual({ 'import.jsonl': 8, 'data/20260102/teams/noteam/a.jpg': 0, 'data/empty.bin': 0 });
    const entries = readZip(archive);
    expect(entries.get('data/20260102/teams/noteam/a.jpg')!.equals(photo)).toBe(true);
    expect(entries.get('data/empty.bin')!.length).toBe(0);
    expect(archive.includes(photo)).toBe(true); // the bytes as they are, in one piece
  });

  it('streams a large entry from a source: each chunk reaches the sink before the next is read', async () => {
    const CHUNK = 64 * 1024;
    const COUNT = 128; // 8 MiB
    let sunk = 0;
    let largestWrite = 0;
    const zip = new ZipWriter({
      write: async (c) => {
        sunk += c.length;
        largestWrite = Math.max(largestWrite, c.length);
      },
    });
    const entry = await zip.entry('data/big.bin', new Date(), 'store');
    const headerBytes = sunk;
    let produced = 0;
    const lag: number[] = [];
    async function* source() {
      for (let i = 0; i < COUNT; i++) {
        // What the archive holds of this entry when the next chunk is asked for.
        lag.push(produced - (sunk - headerBytes));
        produced += CHUNK;
        yield Buffer.alloc(CHUNK, i);
      }
    }
    await entry.writeStream(source());
    await entry.end();
    await zip.finish();
    expect(Math.max(...lag)).toBe(0); // nothing read ahead of what was written
    expect(largestWrite).toBeLessThanOrEqual(CHUNK);
    expect(sunk).toBeGreaterThan(COUNT * CHUNK);
  });

  it('is a valid archive for unzip, where the machine has it', async () => {
    const check = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
    if (check.status !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    try {
      const file = join(dir, 'a.zip');
      writeFileSync(
        file,
        await build([
          ['import.jsonl', ['{"type":"version"}\n', '{"type":"team"}\n']],
          ['data/a.bin', [randomBytes(5000)], 'store'],
        ]),
      );
      const test = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
      expect(test.stdout).toContain('No errors detected');
      expect(spawnSync('unzip', ['-p', file, 'import.jsonl'], { encoding: 'utf8' }).stdout).toBe('{"type":"version"}\n{"type":"team"}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to open an entry while another is open', async () => {
    const zip = new ZipWriter({ write: async () => undefined });
    await zip.entry('a');
    await expect(zip.entry('b')).rejects.toThrow(/still open/);
    await expect(zip.finish()).rejects.toThrow(/still open/);
  });
});
