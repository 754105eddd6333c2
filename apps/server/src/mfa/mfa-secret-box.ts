import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '#common';

const SEALED = 'v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * users.mfa_secret at rest. Mattermost keeps the secret in clear. Here, when
 * SqlSettings.AtRestEncryptKey is set (the same on every node, like the ClusterSecret), it is
 * sealed with AES-256-GCM under a key derived from it, bound to the user's id (a sealed secret
 * copied to another account does not open), so a database dump or backup alone gives no codes.
 * Without the key it is kept in clear as Mattermost does; secrets kept in clear still open after a
 * key is set, and are sealed when next generated.
 */
export function sealMfaSecret(secret: string, userId: string, atRestKey: string): string {
  if (!atRestKey) return secret;
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyFrom(atRestKey), iv);
  cipher.setAAD(Buffer.from(userId));
  const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return SEALED + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The secret a stored value holds; a 500 AppError when it was sealed under another key (or none is set now). */
export function openMfaSecret(stored: string, userId: string, atRestKey: string): string {
  // Base32 has no ':', so a secret kept in clear never looks sealed.
  if (!stored.startsWith(SEALED)) return stored;
  try {
    const raw = Buffer.from(stored.slice(SEALED.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyFrom(atRestKey), raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(userId));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new AppError(
      'openMfaSecret',
      'mfa.secret.unreadable.app_error',
      'The MFA secret cannot be read: SqlSettings.AtRestEncryptKey is not the one it was stored with.',
      500,
      `user_id=${userId}`,
    );
  }
}

function keyFrom(atRestKey: string): Buffer {
  if (!atRestKey) throw new Error('no AtRestEncryptKey');
  return Buffer.from(hkdfSync('sha256', atRestKey, 'mmchat users.mfa_secret', 'aes-256-gcm', 32));
}
