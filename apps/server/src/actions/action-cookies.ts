import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Post action cookies (model.AddPostActionCookies / DecryptPostActionCookie): an ephemeral post is
 * never stored, so each of its actions carries what a click needs (the integration's URL and
 * context, the channel, the props to keep) sealed with AES-256-GCM under the server's secret, as
 * base64 of nonce + ciphertext + tag, the layout Go's cipher.AEAD Seal gives.
 */

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface PostActionCookie {
  type?: string;
  post_id?: string;
  root_post_id?: string;
  channel_id?: string;
  data_source?: string;
  integration?: { url?: string; context?: Record<string, unknown> };
  retain_props?: Record<string, unknown>;
  remove_props?: string[];
}

export function sealCookie(cookie: PostActionCookie, secret: Buffer): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', secret, nonce);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(cookie), 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([nonce, sealed]).toString('base64');
}

/** The cookie, or undefined when it was not sealed with this secret (or was changed). */
export function openCookie(encoded: string, secret: Buffer): PostActionCookie | undefined {
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, bytes.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    const cookie: unknown = JSON.parse(plain);
    return cookie !== null && typeof cookie === 'object' && !Array.isArray(cookie) ? (cookie as PostActionCookie) : undefined;
  } catch {
    return undefined;
  }
}
