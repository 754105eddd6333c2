import { describe, expect, it } from 'vitest';
import { hashToken } from './token-hash.js';

describe('hashToken', () => {
  it('is the hex SHA-256 of the token, as the migration computes it in SQL', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('a'.repeat(26))).toMatch(/^[0-9a-f]{64}$/);
  });
});
