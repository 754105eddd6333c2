import { generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJwt } from '../jwt.js';
import { ApnsProviderToken, readAuthKey, TOKEN_RENEW_AFTER_MS } from './provider-token.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const dir = mkdtempSync(join(tmpdir(), 'apns-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('APNs provider token', () => {
  it('is an ES256 JWT {alg, kid}{iss: team id, iat} whose raw r‖s signature the public key verifies', () => {
    const token = new ApnsProviderToken(privateKey, 'KEY1234567', 'TEAM123456', () => 1_700_000_000_500).bearer();
    const { header, claims } = decodeJwt(token);
    expect(header).toMatchObject({ alg: 'ES256', kid: 'KEY1234567' });
    expect(claims).toEqual({ iss: 'TEAM123456', iat: 1_700_000_000 });
    const [h, c, s] = token.split('.');
    const signature = Buffer.from(s, 'base64url');
    expect(signature).toHaveLength(64);
    expect(verify('sha256', Buffer.from(`${h}.${c}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it('is reused for 50 minutes (APNs refuses renewals within 20 and tokens over 60), then renewed', () => {
    let now = 1_700_000_000_000;
    const tokens = new ApnsProviderToken(privateKey, 'K', 'T', () => now);
    const first = tokens.bearer();
    now += TOKEN_RENEW_AFTER_MS - 1;
    expect(tokens.bearer()).toBe(first);
    now += 1;
    const second = tokens.bearer();
    expect(second).not.toBe(first);
    expect(decodeJwt(second).claims.iat).toBe(Math.floor(now / 1000));
    expect(TOKEN_RENEW_AFTER_MS).toBeGreaterThanOrEqual(20 * 60_000);
    expect(TOKEN_RENEW_AFTER_MS).toBeLessThan(60 * 60_000);
  });

  it('renews at once when APNs called it expired', () => {
    let now = 1_700_000_000_000;
    const tokens = new ApnsProviderToken(privateKey, 'K', 'T', () => now);
    const first = tokens.bearer();
    now += 5000;
    const renewed = tokens.renew();
    expect(renewed).not.toBe(first);
    expect(tokens.bearer()).toBe(renewed);
  });

  it('reads a .p8 key and refuses keys that are not P-256', () => {
    writeFileSync(join(dir, 'AuthKey.p8'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(readAuthKey(join(dir, 'AuthKey.p8')).asymmetricKeyType).toBe('ec');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    writeFileSync(join(dir, 'rsa.p8'), rsa.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => readAuthKey(join(dir, 'rsa.p8'))).toThrow(/not an APNs auth key/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    writeFileSync(join(dir, 'p384.p8'), p384.export({ type: 'pkcs8', format: 'pem' }));
    expect(() => readAuthKey(join(dir, 'p384.p8'))).toThrow(/not an APNs auth key/);
  });
});
