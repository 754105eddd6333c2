import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStoreError, storePathSegments } from './file-store.js';
import { LocalFileStore } from './local-file-store.js';

let root: string;
let store: LocalFileStore;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'store-'));
  store = new LocalFileStore(root);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('storePathSegments', () => {
  it('keeps relative paths inside the store and refuses the rest', () => {
    expect(storePathSegments('export/a.zip')).toEqual(['export', 'a.zip']);
    expect(storePathSegments('./export//a.zip')).toEqual(['export', 'a.zip']);
    expect(storePathSegments('')).toEqual([]);
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a\\b', 'a\0b']) expect(() => storePathSegments(bad), bad).toThrow(FileStoreError);
  });
});

describe('LocalFileStore', () => {
  it('writes, reads, lists and removes files and folders', async () => {
    expect(await store.writeFile('a/b/c.txt', 'hello')).toBe(5);
    expect((await store.readFile('a/b/c.txt')).toString()).toBe('hello');
    expect(await store.exists('a/b/c.txt')).toBe(true);
    expect(await store.exists('a/nope')).toBe(false);
    const listed = await store.list('a');
    expect(listed.map((e) => [e.name, e.isDirectory])).toEqual([['b', true]]);
    expect(await store.list('missing')).toEqual([]);
    await store.remove('a');
    expect(await store.exists('a')).toBe(false);
    await store.remove('a'); // already gone: fine
    await expect(store.remove('')).rejects.toThrow(FileStoreError);
  });

  it('a writer shows nothing at the path until commit, and abort leaves nothing behind', async () => {
    const w = await store.openWriter('out/file.bin');
    await w.write('part one, ');
    await w.write(Buffer.from('part two'));
    expect(await store.exists('out/file.bin')).toBe(false);
    expect(await w.commit()).toBe(18);
    expect((await store.readFile('out/file.bin')).toString()).toBe('part one, part two');

    const aborted = await store.openWriter('out/other.bin');
    await aborted.write('x');
    await aborted.abort();
    expect(readdirSync(join(root, 'out'))).toEqual(['file.bin']);
  });

  it('commit replaces an older file whole', async () => {
    writeFileSync(join(root, 'f.txt'), 'old content that is longer');
    const w = await store.openWriter('f.txt');
    await w.write('new');
    await w.commit();
    expect((await store.readFile('f.txt')).toString()).toBe('new');
  });
  it('streams a file or a byte range of it, and stats it', async () => {
    await store.writeFile('media/clip.bin', '0123456789');
    const read = async (range?: { start: number; end?: number }) => {
      const chunks: Buffer[] = [];
      for await (const c of await store.openReader('media/clip.bin', range)) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString();
    };
    expect(await read()).toBe('0123456789');
    expect(await read({ start: 2, end: 4 })).toBe('234');
    expect(await read({ start: 7 })).toBe('789');
    expect(await store.stat('media/clip.bin')).toMatchObject({ size: 10 });
    expect(await store.stat('media/none.bin')).toBeUndefined();
    expect(await store.stat('media')).toBeUndefined();
    await expect(store.openReader('media/none.bin')).rejects.toThrow();
  });
});
