import { describe, expect, it } from 'vitest';
import { GOSSIP_MAX_AGE_MS, GossipSealer, REPLAY_WINDOW, ReplayWindow } from './gossip-seal.js';

const OLD = 'old-secret-0123456789abcdef';
const NEW = 'new-secret-0123456789abcdef';
const HOST_A = '10.0.0.1:8074';
const HOST_B = '10.0.0.2:8074';
const HOST_C = '10.0.0.3:8074';
const datagram = Buffer.from('{"seq":42}');
const delivered = (plain: Buffer, sender = HOST_A) => ({ ok: true, plain, sender });
const dropped = (reason: string) => ({ ok: false, reason });

describe('GossipSealer', () => {
  it('round-trips a datagram with its sender, adding a fixed overhead and hiding the plaintext', () => {
    const a = new GossipSealer([OLD], 'prod', HOST_A);
    const b = new GossipSealer([OLD], 'prod', HOST_B);
    const sealed = a.seal(datagram, HOST_B);
    expect(sealed.length).toBe(datagram.length + a.overhead);
    expect(sealed.includes(datagram)).toBe(false);
    expect(sealed.includes(Buffer.from(HOST_A))).toBe(false);
    expect(b.open(sealed)).toEqual(delivered(datagram));
    expect(a.open(b.seal(datagram, HOST_A))).toEqual(delivered(datagram, HOST_B));
  });

  it('uses a fresh nonce for every datagram', () => {
    const sealer = new GossipSealer([OLD], 'prod', HOST_A);
    expect(sealer.seal(datagram, HOST_B).equals(sealer.seal(datagram, HOST_B))).toBe(false);
  });

  it('rejects a datagram sealed with a secret it does not hold, or for another cluster', () => {
    const sealed = new GossipSealer([OLD], 'prod', HOST_A).seal(datagram, HOST_B);
    expect(new GossipSealer([NEW], 'prod', HOST_B).open(sealed)).toEqual(dropped('unauthenticated'));
    expect(new GossipSealer([OLD], 'staging', HOST_B).open(sealed)).toEqual(dropped('unauthenticated'));
  });

  it('rejects tampered, truncated, unversioned and plain datagrams', () => {
    const a = new GossipSealer([OLD], 'prod', HOST_A);
    const sealed = a.seal(datagram, HOST_B);
    for (const index of [0, 5, 20, 40, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index] ^= 1;
      expect(new GossipSealer([OLD], 'prod', HOST_B).open(tampered)).toEqual(dropped('unauthenticated'));
    }
    const b = new GossipSealer([OLD], 'prod', HOST_B);
    expect(b.open(sealed.subarray(0, sealed.length - 1))).toEqual(dropped('unauthenticated'));
    expect(b.open(sealed.subarray(0, 28))).toEqual(dropped('unauthenticated'));
    expect(b.open(Buffer.concat([Buffer.from([0]), datagram]))).toEqual(dropped('unauthenticated'));
    expect(b.open(Buffer.concat([Buffer.from([1]), sealed.subarray(1)]))).toEqual(dropped('unauthenticated'));
    expect(b.open(Buffer.alloc(0))).toEqual(dropped('unauthenticated'));
  });

  it('seals with the first secret and opens with any, so a rolling rotation never splits the cluster', () => {
    const before = new GossipSealer([OLD], 'prod', HOST_A);
    const step1 = new GossipSealer([OLD, NEW], 'prod', HOST_B);
    const step2 = new GossipSealer([NEW, OLD], 'prod', HOST_C);
    const after = new GossipSealer([NEW], 'prod', HOST_A);
    const hostOf = new Map([
      [before, HOST_A],
      [step1, HOST_B],
      [step2, HOST_C],
      [after, HOST_A],
    ]);
    const send = (x: GossipSealer, y: GossipSealer) => y.open(x.seal(datagram, hostOf.get(y)!));
    // Nodes of neighbouring steps run side by side during a rolling restart: each pair talks both ways.
    for (const [x, y] of [
      [before, step1],
      [step1, step2],
      [step2, after],
    ]) {
      expect(send(x, y)).toMatchObject({ ok: true, plain: datagram });
      expect(send(y, x)).toMatchObject({ ok: true, plain: datagram });
    }
    // Skipping a step is what breaks: the old-only node cannot read the new-only node, and back.
    expect(send(after, before)).toEqual(dropped('unauthenticated'));
    expect(send(before, after)).toEqual(dropped('unauthenticated'));
  });

  it('refuses to run without a secret', () => {
    expect(() => new GossipSealer([], 'prod', HOST_A)).toThrow(/secret/);
    expect(() => new GossipSealer([''], 'prod', HOST_A)).toThrow(/secret/);
  });

  describe('replays', () => {
    it('takes a datagram once: sent again (from anywhere) it is dropped as a replay', () => {
      const a = new GossipSealer([OLD], 'prod', HOST_A);
      const b = new GossipSealer([OLD], 'prod', HOST_B);
      const captured = a.seal(datagram, HOST_B);
      expect(b.open(captured)).toEqual(delivered(datagram));
      expect(b.open(captured)).toEqual(dropped('replayed'));
      expect(b.open(Buffer.from(captured))).toEqual(dropped('replayed'));
      // The sender's later datagrams still get through.
      expect(b.open(a.seal(datagram, HOST_B))).toEqual(delivered(datagram));
    });

    it('takes datagrams that arrive out of order within the window, each once', () => {
      const a = new GossipSealer([OLD], 'prod', HOST_A);
      const b = new GossipSealer([OLD], 'prod', HOST_B);
      const sent = Array.from({ length: 5 }, (_, i) => a.seal(Buffer.from([i]), HOST_B));
      for (const i of [4, 1, 3, 0, 2]) expect(b.open(sent[i])).toEqual(delivered(Buffer.from([i])));
      for (const i of [0, 1, 2, 3, 4]) expect(b.open(sent[i])).toEqual(dropped('replayed'));
    });

    it('drops a datagram sent to another node: a capture cannot be replayed elsewhere', () => {
      const a = new GossipSealer([OLD], 'prod', HOST_A);
      const toB = a.seal(datagram, HOST_B);
      expect(new GossipSealer([OLD], 'prod', HOST_C).open(toB)).toEqual(dropped('misdirected'));
      expect(new GossipSealer([OLD], 'prod', HOST_B).open(toB)).toEqual(delivered(datagram));
    });

    it('drops datagrams whose time is too far from its clock, either way', () => {
      const now = 1_700_000_000_000;
      const a = new GossipSealer([OLD], 'prod', HOST_A);
      const b = new GossipSealer([OLD], 'prod', HOST_B);
      expect(b.open(a.seal(datagram, HOST_B, now - GOSSIP_MAX_AGE_MS - 1), now)).toEqual(dropped('stale'));
      expect(b.open(a.seal(datagram, HOST_B, now + GOSSIP_MAX_AGE_MS + 1), now)).toEqual(dropped('stale'));
      expect(b.open(a.seal(datagram, HOST_B, now - GOSSIP_MAX_AGE_MS + 1_000), now)).toEqual(delivered(datagram));
    });

    it('keeps the window of a sender that restarted apart from its previous life', () => {
      const b = new GossipSealer([OLD], 'prod', HOST_B);
      const first = new GossipSealer([OLD], 'prod', HOST_A);
      for (let i = 0; i < 3; i++) expect(b.open(first.seal(datagram, HOST_B))).toMatchObject({ ok: true });
      // Same address, numbering from 1 again: a new sender as far as the receiver is concerned.
      const restarted = new GossipSealer([OLD], 'prod', HOST_A);
      expect(b.open(restarted.seal(datagram, HOST_B))).toEqual(delivered(datagram));
    });
  });
});

describe('ReplayWindow', () => {
  it('accepts each number once, forgets nothing within the window, and refuses what fell behind it', () => {
    const w = new ReplayWindow();
    expect(w.accept(1)).toBe(true);
    expect(w.accept(1)).toBe(false);
    expect(w.accept(0)).toBe(false);
    expect(w.accept(REPLAY_WINDOW + 10)).toBe(true);
    // 11 is within the window (newest − 1023); 10 just fell out.
    expect(w.accept(11)).toBe(true);
    expect(w.accept(11)).toBe(false);
    expect(w.accept(10)).toBe(false);
    // A jump far ahead clears everything behind it: old numbers are all refused.
    expect(w.accept(10 * REPLAY_WINDOW)).toBe(true);
    expect(w.accept(9 * REPLAY_WINDOW)).toBe(false);
    expect(w.accept(10 * REPLAY_WINDOW - 1)).toBe(true);
    expect(w.accept(10 * REPLAY_WINDOW - 1)).toBe(false);
    expect(w.accept(10 * REPLAY_WINDOW - REPLAY_WINDOW + 1)).toBe(true);
  });
});
