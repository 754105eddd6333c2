import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZip } from '../../../../../test/jobs/zip-reader.js';
import { ZipWriter } from './zip-writer.js';

async function build(entries: Array<[string, string[]]>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const zip = new ZipWriter({ write: async (c) => void chunks.push(c) });
  for (const [name, parts] of entries) {
    const e = await zip.entry(name, new Date(2026, 0, 2, 3, 4, 6));
    for (const p of parts) await e.write(p);
    await e.end();
  }
  await zip.finish();
  return Buffer.concat(chunks);
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

  it('is a valid archive for unzip, where the machine has it', async () => {
    const check = spawnSync('unzip', ['-v'], { encoding: 'utf8' });
    if (check.status !== 0) return;
    const dir = mkdtempSync(join(tmpdir(), 'zip-'));
    try {
      const file = join(dir, 'a.zip');
      writeFileSync(file, await build([['import.jsonl', ['{"type":"version"}\n', '{"type":"team"}\n']]]));
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
