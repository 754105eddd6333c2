import { hash } from 'node:crypto';

/**
 * What the database keeps of a bearer token (a session's or a personal access token's): its
 * SHA-256 in hex. A leaked row or backup then holds nothing that authenticates, while a lookup
 * stays one indexed equality (the token is a random 130-bit id, so no salt or slow hash is needed:
 * there is nothing to guess). Mattermost logs the same digest in place of a token (token_sha256).
 * Every request hashes its token: the one-shot crypto.hash costs a quarter of a Hash object.
 */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}
