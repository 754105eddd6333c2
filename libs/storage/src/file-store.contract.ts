/**
 * What every FileStore driver must do, run against each (local-file-store.spec.ts,
 * s3-file-store.spec.ts): the same behaviour whichever FileSettings.DriverName is set.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStore, FileStoreError } from './file-store.js';

export interface ContractDriver {
  /** A fresh, empty store, and how to dispose of it. */
  open(): Promise<{ store: FileStore; close(): Promise<void> }>;
}

async function drain(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function fileStoreContract(name: string, driver: ContractDriver): void {
  describe(`${name}: the FileStore contract`, () => {
    let store: FileStore;
    let close: () => Promise<void>;
    beforeEach(async () => {
      ({ store, close } = await driver.open());
    });
    afterEach(() => close());

    it('writes, reads, lists and removes files and folders', async () => {
      expect(await store.writeFile('a/b/c.txt', 'hello')).toBe(5);
      expect((await store.readFile('a/b/c.txt')).toString()).toBe('hello');
      expect(await store.exists('a/b/c.txt')).toBe(true);
      expect(await store.exists('a')).toBe(true);
      expect(await store.exists('a/nope')).toBe(false);
      const listed = await store.list('a');
      expect(listed.map((e) => [e.name, e.isDirectory])).toEqual([['b', true]]);
      expect((await store.list('a/b')).map((e) => [e.name, e.isDirectory, e.size])).toEqual([['c.txt', false, 5]]);
      expect(await store.list('missing')).toEqual([]);
      await store.remove('a');
      expect(await store.exists('a')).toBe(false);
      expect(await store.exists('a/b/c.txt')).toBe(false);
      await store.remove('a'); // already gone: fine
      await expect(store.remove('')).rejects.toThrow(FileStoreError);
    });

    it('removing a folder removes everything under it and nothing beside it', async () => {
      for (let i = 0; i < 25; i++) await store.writeFile(`dir/sub${i % 3}/f${i}.txt`, `${i}`);
      await store.writeFile('dir2/keep.txt', 'keep');
      await store.writeFile('dirfile', 'keep');
      await store.remove('dir');
      expect(await store.list('dir')).toEqual([]);
      expect((await store.list('')).map((e) => e.name)).toEqual(['dir2', 'dirfile']);
      expect((await store.readFile('dir2/keep.txt')).toString()).toBe('keep');
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
      await aborted.abort(); // twice: fine
      await expect(aborted.write('y')).rejects.toThrow(FileStoreError);
      expect((await store.list('out')).map((e) => e.name)).toEqual(['file.bin']);
    });

    it('an empty file can be written through a writer', async () => {
      const w = await store.openWriter('empty.txt');
      expect(await w.commit()).toBe(0);
      expect(await store.stat('empty.txt')).toMatchObject({ size: 0 });
    });

    it('commit replaces an older file whole', async () => {
      await store.writeFile('f.txt', 'old content that is longer');
      const w = await store.openWriter('f.txt');
      await w.write('new');
      await w.commit();
      expect((await store.readFile('f.txt')).toString()).toBe('new');
    });

    it('streams a file or a byte range of it, and stats it', async () => {
      await store.writeFile('media/clip.bin', '0123456789');
      const read = async (range?: { start: number; end?: number }) => (await drain(await store.openReader('media/clip.bin', range))).toString();
      expect(await read()).toBe('0123456789');
      expect(await read({ start: 2, end: 4 })).toBe('234');
      expect(await read({ start: 7 })).toBe('789');
      const st = await store.stat('media/clip.bin');
      expect(st).toMatchObject({ size: 10 });
      expect(Math.abs(st!.modifiedAt - Date.now())).toBeLessThan(60_000);
      expect(await store.stat('media/none.bin')).toBeUndefined();
      expect(await store.stat('media')).toBeUndefined();
      await expect(store.openReader('media/none.bin')).rejects.toThrow();
      await expect(store.readFile('media/none.bin')).rejects.toThrow();
    });

    it('refuses paths that leave the store', async () => {
      for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a\\b']) {
        await expect(store.writeFile(bad, 'x'), bad).rejects.toThrow(FileStoreError);
        await expect(store.openWriter(bad), bad).rejects.toThrow(FileStoreError);
        await expect(store.readFile(bad), bad).rejects.toThrow(FileStoreError);
        await expect(store.openReader(bad), bad).rejects.toThrow(FileStoreError);
        await expect(store.stat(bad), bad).rejects.toThrow(FileStoreError);
        await expect(store.list(bad), bad).rejects.toThrow(FileStoreError);
        await expect(store.remove(bad), bad).rejects.toThrow(FileStoreError);
      }
      // "../../etc/passwd" as a file *name* is a different thing: the callers make it one segment.
    });

    it('passes its connection test', async () => {
      await store.testConnection();
      expect(await store.list('')).toEqual([]);
    });

    it('streams a 20 MB write (multipart on S3) with backpressure and reads it back whole', async () => {
      const chunk = randomBytes(256 * 1024);
      const w = await store.openWriter('big/20mb.bin');
      for (let i = 0; i < 80; i++) await w.write(Buffer.concat([Buffer.from([i]), chunk.subarray(1)]));
      expect(await w.commit()).toBe(20 * 1024 * 1024);
      expect(await store.stat('big/20mb.bin')).toMatchObject({ size: 20 * 1024 * 1024 });
      const back = await drain(await store.openReader('big/20mb.bin', { start: 79 * 256 * 1024, end: 79 * 256 * 1024 + 9 }));
      expect(back).toEqual(Buffer.concat([Buffer.from([79]), chunk.subarray(1, 10)]));
      const all = await store.readFile('big/20mb.bin');
      expect(all.length).toBe(20 * 1024 * 1024);
      expect(all[40 * 256 * 1024]).toBe(40);
    });

    it('an aborted large write leaves nothing', async () => {
      const w = await store.openWriter('big/aborted.bin');
      const chunk = randomBytes(1024 * 1024);
      for (let i = 0; i < 12; i++) await w.write(chunk);
      await w.abort();
      expect(await store.exists('big/aborted.bin')).toBe(false);
      expect(await store.list('big')).toEqual([]);
    });
  });
}
