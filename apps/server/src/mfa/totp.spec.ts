import { describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { openMfaSecret, sealMfaSecret } from './mfa-secret-box.js';
import { isTotpCode, newTotpSecret, totpQrPng, totpStep, totpStepExpiry } from './totp.js';

const NOW = 1_800_000_015_000; // 15 s into a step
const codeAt = (secret: string, steps: number) => generate({ secret, epoch: NOW / 1000 + steps * 30 });

describe('TOTP', () => {
  it('makes 160-bit Base32 secrets, each new', () => {
    const a = newTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(a);
  });

  it('accepts the code of the current step and of one step either side, and says which step it was', async () => {
    const secret = newTotpSecret();
    const step = Math.floor(NOW / 30_000);
    expect(await totpStep(secret, await codeAt(secret, 0), NOW)).toBe(step);
    expect(await totpStep(secret, await codeAt(secret, -1), NOW)).toBe(step - 1);
    expect(await totpStep(secret, await codeAt(secret, 1), NOW)).toBe(step + 1);
    expect(await totpStep(secret, await codeAt(secret, 2), NOW)).toBeUndefined();
    expect(await totpStep(secret, await codeAt(secret, -2), NOW)).toBeUndefined();
    expect(await totpStep(newTotpSecret(), await codeAt(secret, 0), NOW)).toBeUndefined();
  });

  it('takes six digits only', async () => {
    expect(['123456', '000000'].map(isTotpCode)).toEqual([true, true]);
    expect(['', '12345', '1234567', '12345a', ' 123456', '１２３４５６'].map(isTotpCode)).toEqual([false, false, false, false, false, false]);
    expect(await totpStep(newTotpSecret(), 'abcdef', NOW)).toBeUndefined();
  });

  it('keeps a used step refused until no code of it can be accepted any more', () => {
    const step = Math.floor(NOW / 30_000);
    // The step's code is accepted while the current step is step-1, step or step+1.
    expect(totpStepExpiry(step)).toBe((step + 2) * 30_000);
  });

  it('draws the enrolment QR code as a PNG', async () => {
    const png = await totpQrPng('chat.example.com', 'alice@example.com', newTotpSecret());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('the MFA secret at rest', () => {
  const KEY = 'at-rest-key-0123456789';
  it('is kept in clear without SqlSettings.AtRestEncryptKey, as Mattermost keeps it', () => {
    expect(sealMfaSecret('SECRET234', 'u1', '')).toBe('SECRET234');
    expect(openMfaSecret('SECRET234', 'u1', '')).toBe('SECRET234');
    expect(openMfaSecret('SECRET234', 'u1', KEY)).toBe('SECRET234');
  });

  it('is sealed with the key, differently every time, and opens only for its user under that key', () => {
    const sealed = sealMfaSecret('SECRET234', 'u1', KEY);
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('SECRET234');
    expect(sealMfaSecret('SECRET234', 'u1', KEY)).not.toBe(sealed);
    expect(sealed.length).toBeLessThanOrEqual(128); // users.mfa_secret is varchar(128)
    expect(sealMfaSecret(newTotpSecret(), 'u'.repeat(26), KEY).length).toBeLessThanOrEqual(128);
    expect(openMfaSecret(sealed, 'u1', KEY)).toBe('SECRET234');
    expect(() => openMfaSecret(sealed, 'u2', KEY)).toThrow(expect.objectContaining({ id: 'mfa.secret.unreadable.app_error', statusCode: 500 }));
    expect(() => openMfaSecret(sealed, 'u1', 'another-key')).toThrow(expect.objectContaining({ id: 'mfa.secret.unreadable.app_error' }));
    expect(() => openMfaSecret(sealed, 'u1', '')).toThrow(expect.objectContaining({ id: 'mfa.secret.unreadable.app_error' }));
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    expect(() => openMfaSecret(tampered, 'u1', KEY)).toThrow(expect.objectContaining({ id: 'mfa.secret.unreadable.app_error' }));
  });
});
