import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkBudget, initialChunks, initialJsSizes, type BundleFile } from './bundle-budget.js';

const chunk = (fileName: string, imports: string[] = [], isEntry = false, code = 'export {};'): BundleFile => ({
  type: 'chunk',
  fileName,
  isEntry,
  imports,
  code,
});

describe('initialChunks', () => {
  it('follows the static imports of the entry, and leaves out lazy chunks and assets', () => {
    const bundle: Record<string, BundleFile> = {
      'index.js': chunk('index.js', ['react.js', 'client.js'], true),
      'react.js': chunk('react.js'),
      'client.js': chunk('client.js', ['react.js']),
      'console.js': chunk('console.js', ['react.js']),
      'index.css': { type: 'asset', fileName: 'index.css' },
    };
    expect(initialChunks(bundle)).toEqual(['client.js', 'index.js', 'react.js']);
  });
});

describe('checkBudget', () => {
  it('passes within the budget and names every chunk with its size over it', () => {
    expect(checkBudget([{ fileName: 'a.js', gzipBytes: 100 }], 100)).toBeUndefined();
    const failure = checkBudget(
      [
        { fileName: 'a.js', gzipBytes: 2048 },
        { fileName: 'b.js', gzipBytes: 1024 },
      ],
      2048,
    );
    expect(failure).toContain('3.0 KB gzipped, over the budget of 2.0 KB');
    expect(failure).toContain('a.js 2.0 KB, b.js 1.0 KB');
  });

  it('fails on a bundle of incompressible code over the budget', () => {
    // 400 KB of random hex stays about 200 KB gzipped: twice a 100 KB budget.
    const big = chunk('index.js', [], true, `export const x = "${randomBytes(200 * 1024).toString('hex')}";`);
    expect(checkBudget(initialJsSizes({ 'index.js': big }), 100 * 1024)).toMatch(/over the budget/);
  });
});
