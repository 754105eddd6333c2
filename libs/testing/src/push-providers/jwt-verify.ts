/**
 * Verifying the JWTs a push proxy signs, independently of the proxy's own code: ES256 (APNs
 * provider tokens, the signature as raw r‖s) and RS256 (Google service-account assertions).
 */
import { KeyObject, verify } from 'node:crypto';

export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** The decoded token when its signature is `alg` by `publicKey`; a reason otherwise. */
export function verifyJwt(token: string, publicKey: KeyObject, alg: 'ES256' | 'RS256'): DecodedJwt | { error: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'not a compact JWS' };
  let decoded: DecodedJwt;
  try {
    decoded = { header: JSON.parse(Buffer.from(parts[0], 'base64url').toString()), claims: JSON.parse(Buffer.from(parts[1], 'base64url').toString()) };
  } catch {
    return { error: 'undecodable header or claims' };
  }
  if (decoded.header.alg !== alg) return { error: `alg is ${String(decoded.header.alg)}, not ${alg}` };
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const good =
    alg === 'ES256' ? verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature) : verify('sha256', data, publicKey, signature);
  return good ? decoded : { error: 'bad signature' };
}
