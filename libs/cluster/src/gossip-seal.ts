import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 2;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Inside the ciphertext, before the datagram: sender instance, timestamp, sequence number, recipient, sender's address. */
const INSTANCE_BYTES = 8;
const TIME_BYTES = 6;
const SEQ_BYTES = 6;
const RECIPIENT_BYTES = 8;
const ENVELOPE_BYTES = INSTANCE_BYTES + TIME_BYTES + SEQ_BYTES + RECIPIENT_BYTES + 1;

/**
 * How far a datagram's timestamp may be from the receiver's clock (the cluster link once asked the
 * same of node clocks). Older datagrams are dropped: a replay must come within this window, and
 * then meets the sequence window.
 */
export const GOSSIP_MAX_AGE_MS = 60_000;
/** Sequence numbers remembered per sender: a datagram this far behind the newest is dropped. */
export const REPLAY_WINDOW = 1024;

/** Why `open` dropped a datagram: no key authenticates it, or it is authentic but a replay. */
export type DropReason = 'unauthenticated' | 'misdirected' | 'stale' | 'replayed';

export type Opened = { ok: true; plain: Buffer; sender: string } | { ok: false; reason: DropReason };

/**
 * Authenticates and encrypts gossip datagrams with AES-256-GCM under keys derived from the
 * cluster secrets. Seals with the first secret and opens with any of them, so a secret can be
 * rotated by rolling restarts with no moment where two nodes cannot talk:
 *   1. every node: [old, new]  (still seals with old; already opens new)
 *   2. every node: [new, old]  (seals with new; still opens old from nodes not yet restarted)
 *   3. every node: [new]
 * The cluster name is part of the key, so a cluster reusing a secret cannot join another.
 *
 * Replays: inside the ciphertext every datagram names its sender (a random id per sealer, i.e.
 * per node start, and its gossip address), the time, a sequence number of that sender and the
 * address it was sent to. A receiver drops (and reports) a datagram sent to another node, one
 * whose time is more than GOSSIP_MAX_AGE_MS off, and one whose sequence number it has already
 * seen or that lags REPLAY_WINDOW behind the sender's newest; so a captured datagram, sent again
 * from anywhere, is taken at most once, by the node it was meant for.
 */
export class GossipSealer {
  private readonly keys: Buffer[];
  private readonly instance = randomBytes(INSTANCE_BYTES);
  private readonly self: Buffer;
  private readonly selfTag: Buffer;
  private seq = 0;
  private readonly windows = new Map<string, ReplayWindow>();
  private prunedAt = 0;

  /** `host` is this node's gossip address as peers address it ("hostname:port"). */
  constructor(secrets: readonly string[], clusterName: string, host: string) {
    const usable = secrets.filter((s) => s.length > 0);
    if (usable.length === 0) throw new Error('gossip needs at least one cluster secret');
    this.keys = usable.map((secret) => deriveGossipKey(secret, clusterName));
    this.self = Buffer.from(host, 'utf8');
    if (this.self.length > 255) throw new Error(`gossip address too long: ${host}`);
    this.selfTag = recipientTag(host);
  }

  /** Bytes a sealed datagram adds to the plain one: version, nonce, envelope and GCM tag. */
  get overhead(): number {
    return 1 + NONCE_BYTES + ENVELOPE_BYTES + this.self.length + TAG_BYTES;
  }

  /** version(1) | nonce(12) | ciphertext of envelope + datagram | tag(16); the version byte is authenticated too. */
  seal(plain: Buffer, recipient: string, now = Date.now()): Buffer {
    const header = Buffer.alloc(1 + NONCE_BYTES);
    header[0] = VERSION;
    randomBytes(NONCE_BYTES).copy(header, 1);
    const envelope = Buffer.alloc(ENVELOPE_BYTES + this.self.length);
    let at = this.instance.copy(envelope, 0);
    at = envelope.writeUIntBE(now, at, TIME_BYTES);
    at = envelope.writeUIntBE(++this.seq, at, SEQ_BYTES);
    at += recipientTag(recipient).copy(envelope, at);
    at = envelope.writeUInt8(this.self.length, at);
    this.self.copy(envelope, at);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0], header.subarray(1));
    cipher.setAAD(header.subarray(0, 1));
    const body = Buffer.concat([cipher.update(envelope), cipher.update(plain), cipher.final()]);
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }

  /** The plain datagram and its sender's gossip address, or why it was dropped. */
  open(sealed: Buffer, now = Date.now()): Opened {
    const content = this.decrypt(sealed);
    if (!content || content.length < ENVELOPE_BYTES) return { ok: false, reason: 'unauthenticated' };
    const instance = content.subarray(0, INSTANCE_BYTES).toString('hex');
    let at = INSTANCE_BYTES;
    const time = content.readUIntBE(at, TIME_BYTES);
    const seq = content.readUIntBE((at += TIME_BYTES), SEQ_BYTES);
    const recipient = content.subarray((at += SEQ_BYTES), (at += RECIPIENT_BYTES));
    const senderLength = content.readUInt8(at++);
    if (content.length < at + senderLength) return { ok: false, reason: 'unauthenticated' };
    if (!recipient.equals(this.selfTag)) return { ok: false, reason: 'misdirected' };
    if (Math.abs(now - time) > GOSSIP_MAX_AGE_MS) return { ok: false, reason: 'stale' };
    this.prune(now);
    let window = this.windows.get(instance);
    if (!window) this.windows.set(instance, (window = new ReplayWindow()));
    if (!window.accept(seq, now)) return { ok: false, reason: 'replayed' };
    return { ok: true, sender: content.subarray(at, at + senderLength).toString('utf8'), plain: content.subarray(at + senderLength) };
  }

  private decrypt(sealed: Buffer): Buffer | null {
    if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) return null;
    const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
    const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    for (const key of this.keys) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, nonce);
        decipher.setAAD(sealed.subarray(0, 1));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(body), decipher.final()]);
      } catch {
        // Not this key (or tampered): try the next one.
      }
    }
    return null;
  }

  /**
   * Forgets senders silent for twice the time window: a datagram of theirs replayed now is at
   * least that old by the receiver's clock, so off by more than the window whatever the sender's
   * clock said (a clock off by more was never accepted).
   */
  private prune(now: number): void {
    if (now - this.prunedAt < GOSSIP_MAX_AGE_MS) return;
    this.prunedAt = now;
    for (const [instance, window] of this.windows) if (now - window.lastSeen > 2 * GOSSIP_MAX_AGE_MS) this.windows.delete(instance);
  }
}

/** Which sequence numbers of one sender arrived: the newest, and a bitmap of the REPLAY_WINDOW before it. */
export class ReplayWindow {
  private highest = 0;
  private readonly seen = new Uint8Array(REPLAY_WINDOW);
  lastSeen = 0;

  /** True the first time `seq` arrives (in any order within the window), false for a repeat or one too old. */
  accept(seq: number, now = Date.now()): boolean {
    if (seq <= this.highest - REPLAY_WINDOW || seq < 1) return false;
    if (seq > this.highest) {
      // Slide: slots between the old newest and this one now stand for numbers not seen yet.
      for (let s = Math.max(this.highest + 1, seq - REPLAY_WINDOW + 1); s < seq; s++) this.seen[s % REPLAY_WINDOW] = 0;
      this.highest = seq;
    } else if (this.seen[seq % REPLAY_WINDOW]) {
      return false;
    }
    this.seen[seq % REPLAY_WINDOW] = 1;
    this.lastSeen = now;
    return true;
  }
}

function recipientTag(host: string): Buffer {
  return createHash('sha256').update(host).digest().subarray(0, RECIPIENT_BYTES);
}

export function deriveGossipKey(secret: string, clusterName: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'mmchat-cluster-gossip', `v1 ${clusterName}`, 32));
}
