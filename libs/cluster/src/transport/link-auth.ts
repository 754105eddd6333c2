import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Authentication of a cluster link with the shared cluster secret (no mTLS needed).
 *
 * The dialer puts its node id, the node it means to reach, the cluster name, a timestamp and
 * HMAC-SHA256(secret, all of those) in the call metadata. The server accepts the signature under
 * ANY of its secrets (current + previous, so secrets rotate without downtime), within ±60 s of its
 * own clock. Naming the target node stops a captured handshake from being replayed against another
 * node. The server answers with a proof (an HMAC over the dialer's signature) in its HELLO, so a
 * node that does not hold the secret cannot pose as a server either. Without TLS the frames
 * themselves travel in clear: the streaming port belongs on a private network.
 */

export const AUTH_HEADERS = {
  nodeId: 'mm-cluster-node',
  target: 'mm-cluster-target',
  clusterName: 'mm-cluster-name',
  timestamp: 'mm-cluster-ts',
  signature: 'mm-cluster-sig',
} as const;

export const MAX_CLOCK_SKEW_MS = 60_000;

export interface LinkCredentials {
  nodeId: string;
  target: string;
  clusterName: string;
  timestamp: number;
  signature: string;
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('base64url');
}

function signedText(c: Omit<LinkCredentials, 'signature'>): string {
  return ['mmchat-cluster-link', c.clusterName, c.nodeId, c.target, String(c.timestamp)].join('\n');
}

export function signLink(secret: string, c: Omit<LinkCredentials, 'signature'>): LinkCredentials {
  return { ...c, signature: hmac(secret, signedText(c)) };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type VerifyResult =
  | { ok: true; secret: string }
  | { ok: false; reason: 'missing credentials' | 'wrong cluster' | 'stale timestamp' | 'bad signature' };

/** Checks credentials against every accepted secret; returns the one that matched. */
export function verifyLink(
  secrets: readonly string[],
  clusterName: string,
  c: Partial<LinkCredentials>,
  now = Date.now(),
): VerifyResult {
  if (!c.nodeId || !c.target || !c.clusterName || !c.signature || typeof c.timestamp !== 'number' || !Number.isFinite(c.timestamp)) {
    return { ok: false, reason: 'missing credentials' };
  }
  if (c.clusterName !== clusterName) return { ok: false, reason: 'wrong cluster' };
  if (Math.abs(now - c.timestamp) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'stale timestamp' };
  const text = signedText(c as LinkCredentials);
  for (const secret of secrets) {
    if (sameText(hmac(secret, text), c.signature)) return { ok: true, secret };
  }
  return { ok: false, reason: 'bad signature' };
}

/** What the server sends back: proof that it knows the secret the dialer signed with. */
export function serverProof(secret: string, serverId: string, dialerSignature: string): string {
  return hmac(secret, ['mmchat-cluster-proof', serverId, dialerSignature].join('\n'));
}

export function verifyServerProof(secrets: readonly string[], serverId: string, dialerSignature: string, proof: string): boolean {
  return secrets.some((secret) => sameText(serverProof(secret, serverId, dialerSignature), proof));
}
