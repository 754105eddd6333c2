import { describe, expect, it } from 'vitest';
import { serverProof, signLink, verifyLink, verifyServerProof } from './link-auth.js';

const now = 1_700_000_000_000;
const base = { nodeId: 'aaaa', target: 'bbbb', clusterName: 'prod', timestamp: now };

describe('link authentication', () => {
  it('accepts a signature under any configured secret and says which', () => {
    const creds = signLink('old', base);
    expect(verifyLink(['new', 'old'], 'prod', creds, now)).toEqual({ ok: true, secret: 'old' });
    expect(verifyLink(['new'], 'prod', creds, now)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('rejects wrong cluster names, stale timestamps and tampered fields', () => {
    const creds = signLink('s', base);
    expect(verifyLink(['s'], 'staging', creds, now)).toMatchObject({ ok: false, reason: 'wrong cluster' });
    expect(verifyLink(['s'], 'prod', creds, now + 60_001)).toMatchObject({ ok: false, reason: 'stale timestamp' });
    expect(verifyLink(['s'], 'prod', creds, now - 60_001)).toMatchObject({ ok: false, reason: 'stale timestamp' });
    expect(verifyLink(['s'], 'prod', creds, now + 59_000)).toMatchObject({ ok: true });
    expect(verifyLink(['s'], 'prod', { ...creds, target: 'cccc' }, now)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifyLink(['s'], 'prod', { ...creds, nodeId: 'aaab' }, now)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifyLink(['s'], 'prod', { ...creds, timestamp: now + 1 }, now)).toMatchObject({ ok: false, reason: 'bad signature' });
    expect(verifyLink(['s'], 'prod', { ...creds, signature: undefined }, now)).toMatchObject({ ok: false, reason: 'missing credentials' });
    expect(verifyLink(['s'], 'prod', { ...creds, timestamp: Number.NaN }, now)).toMatchObject({ ok: false, reason: 'missing credentials' });
  });

  it('lets the dialer check that the server holds a secret too', () => {
    const { signature } = signLink('old', base);
    const proof = serverProof('old', 'bbbb', signature);
    expect(verifyServerProof(['new', 'old'], 'bbbb', signature, proof)).toBe(true);
    expect(verifyServerProof(['new'], 'bbbb', signature, proof)).toBe(false);
    expect(verifyServerProof(['old'], 'cccc', signature, proof)).toBe(false);
    expect(verifyServerProof(['old'], 'bbbb', signature, 'forged')).toBe(false);
  });
});
