import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStoreError, storePathSegments } from './file-store.js';
import { fileStoreContract } from './file-store.contract.js';
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
  it('writes beside the target and renames on commit: an aborted write leaves no temp file', async () => {
    const w = await store.openWriter('out/file.bin');
    await w.write('x');
    await w.commit();
    const aborted = await store.openWriter('out/other.bin');
    await aborted.write('x');
    await aborted.abort();
    expect(readdirSync(join(root, 'out'))).toEqual(['file.bin']);
  });

  it('keeps files under its folder, as absolute paths show', () => {
    expect(store.absolute('a/b')).toBe(join(root, 'a', 'b'));
  });
});

fileStoreContract('local', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    return { store: new LocalFileStore(dir), close: async () => rmSync(dir, { recursive: true, force: true }) };
  },
});
