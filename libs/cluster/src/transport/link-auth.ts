import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Challenge-response authentication of a cluster link with the shared cluster secret, inside the
 * link's mutual TLS (link-tls.ts).
 *
 * 1. The dialer opens the call naming itself, the node it means to reach, the cluster, and a fresh
 *    nonce of its own (call metadata).
 * 2. The server answers with a CHALLENGE frame: a fresh random nonce for this call only.
 * 3. The dialer's HELLO carries HMAC-SHA256(secret, both node ids, the cluster, both nonces and the
 *    fingerprints of both TLS certificates). The server checks it under ANY of its secrets (current
 *    + previous, so secrets rotate without downtime) and consumes its nonce: a call gets one try.
 * 4. The server's HELLO carries an HMAC over the dialer's proof, so a node that does not hold the
 *    secret cannot pose as a server either.
 *
 * No handshake is valid twice: every call has a new server nonce. The certificate fingerprints
 * bind the handshake to this TLS connection (a handshake relayed into another connection, with
 * other certificates, does not verify), and TLS then protects every frame after it: each record is
 * encrypted and authenticated under the connection's own keys with an implicit sequence number, so
 * a frame cannot be read, altered, replayed, reordered or moved to another connection. That is why
 * frames carry no MAC of their own: it would repeat, at a cost per frame, what TLS already does.
 */

export const AUTH_HEADERS = {
  nodeId: 'mm-cluster-node',
  target: 'mm-cluster-target',
  clusterName: 'mm-cluster-name',
  nonce: 'mm-cluster-nonce',
} as const;

const NONCE_BYTES = 24;
/** Shortest nonce accepted from a dialer (base64url of 16 bytes). */
const MIN_NONCE_CHARS = 22;

/** Everything a link's proofs cover: who talks to whom, in which cluster, on which call and connection. */
export interface LinkBinding {
  clusterName: string;
  /** Node id of the dialer (the lower id) and of the server. */
  dialer: string;
  server: string;
  dialerNonce: string;
  serverNonce: string;
  /** SHA-256 fingerprints of the dialer's and the server's TLS certificates. */
  dialerCertificate: string;
  serverCertificate: string;
}

export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

export function usableNonce(nonce: string | undefined): nonce is string {
  return typeof nonce === 'string' && nonce.length >= MIN_NONCE_CHARS && nonce.length <= 256;
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function boundText(b: LinkBinding): string {
  return ['mmchat-cluster-link-v2', b.clusterName, b.dialer, b.server, b.dialerNonce, b.serverNonce, b.dialerCertificate, b.serverCertificate].join('\n');
}

/** The dialer's answer to the server's challenge. */
export function dialerProof(secret: string, binding: LinkBinding): string {
  return hmac(secret, boundText(binding));
}

/** Checks the dialer's proof under every accepted secret; returns the one that matched. */
export function verifyDialerProof(secrets: readonly string[], binding: LinkBinding, proof: string): string | null {
  const text = boundText(binding);
  return secrets.find((secret) => sameText(hmac(secret, text), proof)) ?? null;
}

/** What the server sends back: proof that it knows the secret the dialer answered with. */
export function serverProof(secret: string, binding: LinkBinding, proofOfDialer: string): string {
  return hmac(secret, ['mmchat-cluster-proof-v2', binding.server, proofOfDialer].join('\n'));
}

export function verifyServerProof(secrets: readonly string[], binding: LinkBinding, proofOfDialer: string, proof: string): boolean {
  return secrets.some((secret) => sameText(serverProof(secret, binding, proofOfDialer), proof));
}
