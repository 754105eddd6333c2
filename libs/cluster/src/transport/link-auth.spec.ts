import { describe, expect, it } from 'vitest';
import { dialerProof, newNonce, serverProof, usableNonce, verifyDialerProof, verifyServerProof, type LinkBinding } from './link-auth.js';

const binding: LinkBinding = {
  clusterName: 'prod',
  dialer: 'aaaa',
  server: 'bbbb',
  dialerNonce: newNonce(),
  serverNonce: newNonce(),
  dialerCertificate: 'AA:01',
  serverCertificate: 'BB:02',
};

describe('link authentication', () => {
  it('accepts the dialer’s proof under any configured secret and says which', () => {
    const proof = dialerProof('old', binding);
    expect(verifyDialerProof(['new', 'old'], binding, proof)).toBe('old');
    expect(verifyDialerProof(['new'], binding, proof)).toBeNull();
    expect(verifyDialerProof(['old'], binding, 'forged')).toBeNull();
    expect(verifyDialerProof(['old'], binding, '')).toBeNull();
  });

  it('binds the proof to every field: another challenge, connection, node or cluster does not verify', () => {
    const proof = dialerProof('s', binding);
    for (const field of Object.keys(binding) as Array<keyof LinkBinding>) {
      expect(verifyDialerProof(['s'], { ...binding, [field]: `${binding[field]}x` }, proof), field).toBeNull();
    }
    // The same dialer answering a second challenge gives a different proof.
    expect(dialerProof('s', { ...binding, serverNonce: newNonce() })).not.toBe(proof);
  });

  it('lets the dialer check that the server holds a secret too, for this very handshake', () => {
    const dialer = dialerProof('old', binding);
    const proof = serverProof('old', binding, dialer);
    expect(verifyServerProof(['new', 'old'], binding, dialer, proof)).toBe(true);
    expect(verifyServerProof(['new'], binding, dialer, proof)).toBe(false);
    expect(verifyServerProof(['old'], { ...binding, server: 'cccc' }, dialer, proof)).toBe(false);
    expect(verifyServerProof(['old'], binding, dialerProof('old', { ...binding, dialerNonce: newNonce() }), proof)).toBe(false);
    expect(verifyServerProof(['old'], binding, dialer, 'forged')).toBe(false);
  });

  it('makes a fresh nonce every time, and takes only nonces long enough', () => {
    const nonces = new Set(Array.from({ length: 100 }, newNonce));
    expect(nonces.size).toBe(100);
    expect(usableNonce(newNonce())).toBe(true);
    expect(usableNonce('short')).toBe(false);
    expect(usableNonce(undefined)).toBe(false);
    expect(usableNonce('x'.repeat(300))).toBe(false);
  });
});
