import { describe, expect, it } from 'vitest';
import { GossipSealer, SEAL_OVERHEAD } from './gossip-seal.js';

const OLD = 'old-secret-0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef';
const datagram = Buffer.from('{"seq":42}');

describe('GossipSealer', () => {
  it('round-trips a datagram, adding a fixed overhead and hiding the plaintext', () => {
    const sealer = new GossipSealer([OLD], 'prod');
    const sealed = sealer.seal(datagram);
    expect(sealed.length).toBe(datagram.length + SEAL_OVERHEAD);
    expect(sealed.includes(datagram)).toBe(false);
    expect(sealer.open(sealed)).toEqual(datagram);
  });

  it('uses a fresh nonce for every datagram', () => {
    const sealer = new GossipSealer([OLD], 'prod');
    expect(sealer.seal(datagram).equals(sealer.seal(datagram))).toBe(false);
  });

  it('rejects a datagram sealed with a secret it does not hold, or for another cluster', () => {
    const sealed = new GossipSealer([OLD], 'prod').seal(datagram);
    expect(new GossipSealer([NEW], 'prod').open(sealed)).toBeNull();
    expect(new GossipSealer([OLD], 'staging').open(sealed)).toBeNull();
  });

  it('rejects tampered, truncated, unversioned and plain datagrams', () => {
    const sealer = new GossipSealer([OLD], 'prod');
    const sealed = sealer.seal(datagram);
    for (const index of [0, 5, 20, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index] ^= 1;
      expect(sealer.open(tampered)).toBeNull();
    }
    expect(sealer.open(sealed.subarray(0, sealed.length - 1))).toBeNull();
    expect(sealer.open(sealed.subarray(0, SEAL_OVERHEAD - 1))).toBeNull();
    expect(sealer.open(Buffer.concat([Buffer.from([0]), datagram]))).toBeNull();
    expect(sealer.open(Buffer.alloc(0))).toBeNull();
  });

  it('seals with the first secret and opens with any, so a rolling rotation never splits the cluster', () => {
    const before = new GossipSealer([OLD], 'prod');
    const step1 = new GossipSealer([OLD, NEW], 'prod');
    const step2 = new GossipSealer([NEW, OLD], 'prod');
    const after = new GossipSealer([NEW], 'prod');
    // Nodes of neighbouring steps run side by side during a rolling restart: each pair talks both ways.
    for (const [x, y] of [[before, step1], [step1, step2], [step2, after]]) {
      expect(x.open(y.seal(datagram))).toEqual(datagram);
      expect(y.open(x.seal(datagram))).toEqual(datagram);
    }
    // Skipping a step is what breaks: the old-only node cannot read the new-only node, and back.
    expect(before.open(after.seal(datagram))).toBeNull();
    expect(after.open(before.seal(datagram))).toBeNull();
  });

  it('refuses to run without a secret', () => {
    expect(() => new GossipSealer([], 'prod')).toThrow(/secret/);
    expect(() => new GossipSealer([''], 'prod')).toThrow(/secret/);
  });
});
