import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes a sealed datagram adds to the plain one: version, nonce and GCM tag. */
export const SEAL_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/**
 * Authenticates and encrypts gossip datagrams with AES-256-GCM under keys derived from the
 * cluster secrets. Seals with the first secret and opens with any of them, so a secret can be
 * rotated by rolling restarts with no moment where two nodes cannot talk:
 *   1. every node: [old, new]  (still seals with old; already opens new)
 *   2. every node: [new, old]  (seals with new; still opens old from nodes not yet restarted)
 *   3. every node: [new]
 * The cluster name is part of the key, so a cluster reusing a secret cannot join another.
 */
export class GossipSealer {
  private readonly keys: Buffer[];

  constructor(secrets: readonly string[], clusterName: string) {
    const usable = secrets.filter((s) => s.length > 0);
    if (usable.length === 0) throw new Error('gossip needs at least one cluster secret');
    this.keys = usable.map((secret) => deriveGossipKey(secret, clusterName));
  }

  /** version(1) | nonce(12) | ciphertext | tag(16); the version byte is authenticated too. */
  seal(plain: Buffer): Buffer {
    const header = Buffer.alloc(1 + NONCE_BYTES);
    header[0] = VERSION;
    randomBytes(NONCE_BYTES).copy(header, 1);
    const cipher = createCipheriv('aes-256-gcm', this.keys[0], header.subarray(1));
    cipher.setAAD(header.subarray(0, 1));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }

  /** The plain datagram, or null when no configured key authenticates it. */
  open(sealed: Buffer): Buffer | null {
    if (sealed.length < SEAL_OVERHEAD || sealed[0] !== VERSION) return null;
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
}

export function deriveGossipKey(secret: string, clusterName: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'mmchat-cluster-gossip', `v${VERSION} ${clusterName}`, 32));
}
