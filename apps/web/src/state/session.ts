/**
 * Who is signed in. The session itself is the server's: the MMAUTHTOKEN cookie (HttpOnly, so the
 * app never sees the token), with MMUSERID naming the user and MMCSRF the token the client echoes
 * in X-CSRF-Token. This slice only says what the app believes.
 */
export type SessionState =
  /** Before the first answer about the cookie. */
  { status: 'unknown' } | { status: 'signed-out'; reason: 'none' | 'logout' | 'expired' } | { status: 'signed-in'; userId: string };

export const initialSession: SessionState = { status: 'unknown' };

export const signedIn = (userId: string): SessionState => ({ status: 'signed-in', userId });
export const signedOut = (reason: 'none' | 'logout' | 'expired' = 'none'): SessionState => ({ status: 'signed-out', reason });

/** The signed-in user's id, or '' . */
export const currentUserId = (session: SessionState): string => (session.status === 'signed-in' ? session.userId : '');

/** The user id the MMUSERID cookie names (set with the session, readable by scripts), or ''. */
export function userIdFromCookie(cookie: string): string {
  for (const part of cookie.split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === 'MMUSERID') return decodeURIComponent(value.join('='));
  }
  return '';
}

/** Mattermost's error ids that mean "send the MFA code too" (the login page then asks for it). */
const MFA_REQUIRED = new Set(['mfa.validate_token.authenticate.app_error', 'ent.mfa.validate_token.authenticate.app_error']);

export const isMfaRequired = (serverErrorId: string | undefined): boolean => MFA_REQUIRED.has(serverErrorId ?? '');
