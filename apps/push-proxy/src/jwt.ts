/**
 * Compact JWS (RFC 7515) signing with node:crypto, for the two provider tokens the proxy makes:
 * ES256 for APNs (the signature as the raw 64-byte r‖s, not DER: `ieee-p1363`) and RS256 for
 * Google's OAuth service-account assertion.
 */
import { KeyObject, sign } from 'node:crypto';

export type JwtAlgorithm = 'ES256' | 'RS256';

export const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

/** `header.claims.signature`, with `alg` (and `typ`) set in the header. */
export function signJwt(alg: JwtAlgorithm, key: KeyObject, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${base64url(JSON.stringify({ alg, typ: 'JWT', ...header }))}.${base64url(JSON.stringify(claims))}`;
  const signature = alg === 'ES256' ? sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }) : sign('sha256', Buffer.from(input), key);
  return `${input}.${base64url(signature)}`;
}

/** The header and claims of a compact JWS, unverified (specs and logs). */
export function decodeJwt(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, claims] = token.split('.');
  return { header: JSON.parse(Buffer.from(header, 'base64url').toString()), claims: JSON.parse(Buffer.from(claims ?? '', 'base64url').toString()) };
}
