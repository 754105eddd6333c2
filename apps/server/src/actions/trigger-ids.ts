import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest, newId } from '#common';

/**
 * Trigger ids (model.GenerateTriggerId / DecodeAndVerifyTriggerId): what a slash command or an
 * interactive action hands its integration so that it may open a dialog for the user who acted,
 * and only for a short while. The shape is Mattermost's, base64 of
 * `<client trigger id>:<user id>:<millis>:<base64 signature>`; the signature is an HMAC-SHA256 of
 * the first three parts with the server's key (Mattermost signs with its ECDSA key: the wire shape
 * is the same, and only this server reads the signature).
 */

export interface TriggerId {
  /** The id the client gets back (a plain id: it cannot open anything). */
  clientTriggerId: string;
  /** The signed id the integration gets. */
  triggerId: string;
}

export interface VerifiedTrigger {
  clientTriggerId: string;
  userId: string;
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const signed = (data: string, key: Buffer) => createHmac('sha256', key).update(data).digest();

export function generateTriggerId(userId: string, key: Buffer, now = Date.now()): TriggerId {
  const clientTriggerId = newId();
  const data = `${clientTriggerId}:${userId}:${now}:`;
  const triggerId = Buffer.from(data + signed(data, key).toString('base64')).toString('base64');
  return { clientTriggerId, triggerId };
}

const fail = (what: string, message: string) => badRequest(`interactive_message.decode_trigger_id.${what}`, message);

/** The trigger id's user and client id, or Mattermost's 400 for each way it can be wrong. */
export function verifyTriggerId(triggerId: string, key: Buffer, timeoutMs: number, now = Date.now()): VerifiedTrigger {
  if (!STD_BASE64.test(triggerId)) throw fail('base64_decode_failed', 'Failed to decode base64 for trigger ID for interactive dialog.');
  const parts = Buffer.from(triggerId, 'base64').toString('utf8').split(':');
  if (parts.length !== 4) throw fail('missing_data', 'Trigger ID missing required data for interactive dialog.');
  const [clientTriggerId, userId, millis, signature] = parts;
  const timestamp = /^-?\d+$/.test(millis) ? Number(millis) : 0;
  if (now - timestamp > timeoutMs) {
    throw fail('expired', `Trigger ID for interactive dialog is expired. Trigger IDs live for a maximum of ${timeoutMs / 1000}s.`);
  }
  if (!STD_BASE64.test(signature)) throw fail('base64_decode_failed_signature', 'Failed to decode base64 for signature of trigger ID for interactive dialog.');
  const given = Buffer.from(signature, 'base64');
  const expected = signed(`${clientTriggerId}:${userId}:${millis}:`, key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw fail('verify_signature_failed', 'Signature verification failed of trigger ID for interactive dialog.');
  }
  return { clientTriggerId, userId };
}
