/** The errors of API calls, as the app reads and shows them. */

/** What a failed call throws (Client4's ClientError), as far as the app reads it. */
export interface ApiError {
  message: string;
  status_code?: number;
  server_error_id?: string;
}

/** An error the app raises itself, whose message is meant for the person (e.g. "no such team"). */
export class UserFacingError extends Error {}

export function isApiError(err: unknown): err is ApiError {
  return typeof err === 'object' && err !== null && 'message' in err && ('status_code' in err || 'server_error_id' in err);
}

/** The message to show for a failed call: the server's (already in the user's words), else a generic one. */
export function errorMessage(err: unknown): string {
  if (err instanceof UserFacingError || (isApiError(err) && err.message)) return err.message;
  return 'Something went wrong. Check your connection and try again.';
}

/**
 * Whether a failed call means the session is gone: a 401 with the server's session error (or none,
 * as a proxy would answer). Other 401s are about the request itself — a wrong current password,
 * a wrong MFA code — and stay with their caller, signed in.
 */
export function endsSession(err: unknown): boolean {
  if (!isApiError(err) || err.status_code !== 401) return false;
  return !err.server_error_id || err.server_error_id === 'api.context.session_expired.app_error';
}
