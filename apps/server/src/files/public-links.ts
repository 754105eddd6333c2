import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The hash of a public file link (Mattermost's GeneratePublicLinkHash): SHA-256 over the salt
 * followed by the file id, base64url without padding. Changing FileSettings.PublicLinkSalt
 * changes every hash, so every link given out before dies.
 */
export function publicLinkHash(fileId: string, salt: string): string {
  return createHash('sha256').update(salt).update(fileId).digest('base64url');
}

/** Whether `hash` is the file's, compared in constant time (Mattermost's subtle.ConstantTimeCompare). */
export function publicLinkMatches(hash: string, fileId: string, salt: string): boolean {
  const given = Buffer.from(hash);
  const expected = Buffer.from(publicLinkHash(fileId, salt));
  // The length of a hash is no secret: only equal lengths are compared.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
