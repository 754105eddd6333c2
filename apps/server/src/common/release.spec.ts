import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RELEASE } from './release.js';

describe('RELEASE', () => {
  it("is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '../../../../package.json'), 'utf8'));
    expect(RELEASE).toBe(pkg.version);
  });
});
