/**
 * What an APNs answer means for the proxy (Apple's status codes and `reason` strings).
 */

export type ApnsOutcome =
  /** 200: accepted. */
  | { kind: 'ok' }
  /** The token is dead or not this app's: the server should forget the device. */
  | { kind: 'remove'; reason: string }
  /** The provider token is stale: make a new one and send again. */
  | { kind: 'renew-token'; reason: string }
  /** APNs is busy or broken for now: try again later. */
  | { kind: 'retry'; reason: string }
  | { kind: 'fail'; reason: string };

/**
 * Mattermost's proxy answers REMOVE for BadDeviceToken, MissingDeviceToken, DeviceTokenNotForTopic
 * and Unregistered; ExpiredToken is Apple's newer 410 reason for a token that is no longer valid.
 */
const REMOVE_REASONS = new Set(['BadDeviceToken', 'MissingDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered', 'ExpiredToken']);

export function apnsOutcome(status: number, reason: string | undefined): ApnsOutcome {
  if (status === 200) return { kind: 'ok' };
  const why = reason || `HTTP ${status}`;
  if (reason && REMOVE_REASONS.has(reason)) return { kind: 'remove', reason };
  if (status === 403 && reason === 'ExpiredProviderToken') return { kind: 'renew-token', reason };
  // 429 TooManyRequests (one device too fast) / TooManyProviderTokenUpdates, 500
  // InternalServerError, 503 ServiceUnavailable / Shutdown: Apple says try again later.
  if (status === 429 || status >= 500) return { kind: 'retry', reason: why };
  return { kind: 'fail', reason: why };
}

/** The `reason` of an APNs error body ({"reason": "...", "timestamp": …}), if it has one. */
export function apnsReason(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { reason?: unknown };
    return typeof parsed?.reason === 'string' ? parsed.reason : undefined;
  } catch {
    return undefined;
  }
}
