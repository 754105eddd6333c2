/**
 * What an FCM HTTP v1 answer means for the proxy. Errors are Google API errors
 * ({"error": {code, message, status, details}}) whose FCM-specific code is in the detail of type
 * google.firebase.fcm.v1.FcmError (`errorCode`).
 */

export type FcmOutcome =
  | { kind: 'ok' }
  /** The registration token is dead or belongs to another sender: the server should forget the device. */
  | { kind: 'remove'; reason: string }
  /** The access token was refused: get a new one and send again. */
  | { kind: 'renew-token'; reason: string }
  /** FCM is over quota or broken for now: try again (not before its Retry-After). */
  | { kind: 'retry'; reason: string }
  | { kind: 'fail'; reason: string; message: string };

interface GoogleError {
  code?: number;
  message?: string;
  status?: string;
  details?: { '@type'?: string; errorCode?: string }[];
}

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/**
 * UNREGISTERED and SENDER_ID_MISMATCH give REMOVE (Mattermost's IsUnregistered /
 * IsSenderIDMismatch); QUOTA_EXCEEDED (429), INTERNAL (500) and UNAVAILABLE (503) are retried, as
 * Firebase's SDK and Mattermost's proxy retry them; a 401 that is about our access token
 * (UNAUTHENTICATED, not THIRD_PARTY_AUTH_ERROR, which is about the APNs credentials in Firebase)
 * renews it; other 5xx (a load balancer's 502) are retried too; the rest (INVALID_ARGUMENT, …) fails.
 */
export function fcmOutcome(status: number, body: string): FcmOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const error = googleError(body);
  const fcmCode = error.details?.find((d) => d['@type'] === FCM_ERROR_TYPE)?.errorCode;
  const reason = fcmCode || error.status || `HTTP ${status}`;
  if (fcmCode === 'UNREGISTERED' || fcmCode === 'SENDER_ID_MISMATCH') return { kind: 'remove', reason: fcmCode };
  if (status === 401 && fcmCode !== 'THIRD_PARTY_AUTH_ERROR') return { kind: 'renew-token', reason };
  if (status === 429 || status >= 500 || fcmCode === 'QUOTA_EXCEEDED' || fcmCode === 'INTERNAL' || fcmCode === 'UNAVAILABLE') {
    return { kind: 'retry', reason };
  }
  return { kind: 'fail', reason, message: error.message || body.slice(0, 200) };
}

function googleError(body: string): GoogleError {
  try {
    const parsed = JSON.parse(body) as { error?: GoogleError };
    return typeof parsed?.error === 'object' && parsed.error !== null ? parsed.error : {};
  } catch {
    return {};
  }
}
