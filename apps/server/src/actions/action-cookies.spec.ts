import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openCookie, sealCookie } from './action-cookies.js';

describe('action cookies', () => {
  const secret = randomBytes(32);
  const cookie = { type: 'button', post_id: 'p'.repeat(26), channel_id: 'c'.repeat(26), integration: { url: 'https://i.test/a', context: { n: 1 } } };

  it('open with the secret they were sealed with, and hide what they hold', () => {
    const sealed = sealCookie(cookie, secret);
    expect(sealed).not.toContain('i.test');
    expect(openCookie(sealed, secret)).toEqual(cookie);
    expect(sealCookie(cookie, secret)).not.toBe(sealed);
  });

  it('refuse another secret, a changed byte, a short or non-object cookie', () => {
    const sealed = Buffer.from(sealCookie(cookie, secret), 'base64');
    expect(openCookie(sealed.toString('base64'), randomBytes(32))).toBeUndefined();
    sealed[20] ^= 1;
    expect(openCookie(sealed.toString('base64'), secret)).toBeUndefined();
    expect(openCookie('AAAA', secret)).toBeUndefined();
    expect(openCookie(sealCookie([1] as never, secret), secret)).toBeUndefined();
  });
});
