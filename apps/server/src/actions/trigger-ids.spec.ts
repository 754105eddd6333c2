import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateTriggerId, verifyTriggerId } from './trigger-ids.js';

const key = randomBytes(32);
const user = 'u'.repeat(26);
const idOf = (e: unknown) => (e as { id: string }).id;
const failure = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return idOf(e);
  }
  return 'none';
};

describe('trigger ids', () => {
  it('carry the client id, the user and the time in Mattermost layout, and verify with the key', () => {
    const now = 1_700_000_000_000;
    const { clientTriggerId, triggerId } = generateTriggerId(user, key, now);
    const parts = Buffer.from(triggerId, 'base64').toString().split(':');
    expect(parts.slice(0, 3)).toEqual([clientTriggerId, user, String(now)]);
    expect(verifyTriggerId(triggerId, key, 30_000, now + 29_000)).toEqual({ clientTriggerId, userId: user });
  });

  it('refuses an expired, forged, re-signed or garbled id with the error for each', () => {
    const now = Date.now();
    const { triggerId } = generateTriggerId(user, key, now);
    const [client, , millis, sig] = Buffer.from(triggerId, 'base64').toString().split(':');
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    expect(failure(() => verifyTriggerId(triggerId, key, 1000, now + 1001))).toBe('interactive_message.decode_trigger_id.expired');
    expect(failure(() => verifyTriggerId(b64(`${client}:${'v'.repeat(26)}:${millis}:${sig}`), key, 30_000, now))).toBe(
      'interactive_message.decode_trigger_id.verify_signature_failed',
    );
    expect(failure(() => verifyTriggerId(triggerId, randomBytes(32), 30_000, now))).toBe('interactive_message.decode_trigger_id.verify_signature_failed');
    expect(failure(() => verifyTriggerId('not base64!', key, 30_000, now))).toBe('interactive_message.decode_trigger_id.base64_decode_failed');
    expect(failure(() => verifyTriggerId(b64('a:b'), key, 30_000, now))).toBe('interactive_message.decode_trigger_id.missing_data');
    expect(failure(() => verifyTriggerId(b64(`${client}:${user}:${millis}:%%%`), key, 30_000, now))).toBe(
      'interactive_message.decode_trigger_id.base64_decode_failed_signature',
    );
    expect(failure(() => verifyTriggerId(b64(`${client}:${user}:soon:${sig}`), key, 30_000, now))).toBe('interactive_message.decode_trigger_id.expired');
  });
});
