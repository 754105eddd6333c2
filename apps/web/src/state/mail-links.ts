/**
 * What the pages behind the server's mailed links read and decide (password reset, email
 * verification, team invitations): pure functions, no state of their own — the pages keep their
 * form in React state and the server keeps the tokens.
 */

/**
 * What an invitation link shows before anything is asked of the server: the `d` parameter of
 * /signup_user_complete/?d=…&t=… is JSON naming the invited address and the team (Mattermost's
 * invitation mails carry the same). Only shown — the server checks the token and the address.
 */
export interface InvitationInfo {
  email: string;
  teamName: string;
  teamDisplayName: string;
}

export function invitationInfo(data: string): InvitationInfo | undefined {
  if (!data) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const text = (key: string) => {
    const v = (parsed as Record<string, unknown>)[key];
    return typeof v === 'string' ? v.trim() : '';
  };
  const info = { email: text('email'), teamName: text('name'), teamDisplayName: text('display_name') };
  return info.email || info.teamName ? info : undefined;
}

/** A team URL name as Mattermost allows them (2–64 lower-case letters, digits, '-' and '_'), for a redirect built from the link. */
export const isTeamName = (name: string): boolean => /^[a-z0-9][a-z0-9_-]{1,63}$/.test(name);

/** Whether text looks like an email address (what the server would take; it checks again). */
export const looksLikeEmail = (text: string): boolean => /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/.test(text.trim());

/** The server's id for "right password, but the address is not verified yet" (RequireEmailVerification). */
export const NOT_VERIFIED = 'api.user.login.not_verified.app_error';

/** Whether a refused password is the password policy's answer (shown next to the password field, not over the form). */
export const isPasswordPolicyError = (serverErrorId: string | undefined): boolean => (serverErrorId ?? '').startsWith('model.user.is_valid.pwd');

/**
 * The server's ids for a reset link it cannot use (unknown, already used, of another kind, expired):
 * the page then offers to ask for a new one.
 */
const DEAD_RESET_LINK = new Set([
  'api.user.reset_password.invalid_link.app_error',
  'api.user.reset_password.broken_token.app_error',
  'api.user.reset_password.link_expired.app_error',
  'api.context.invalid_body_param.app_error',
  'api.context.invalid_param.app_error',
]);

export const isDeadResetLink = (serverErrorId: string | undefined): boolean => DEAD_RESET_LINK.has(serverErrorId ?? '');

/** What is wrong with a new password typed twice before the server sees it ('' when nothing). */
export function newPasswordProblem(password: string, again: string): string {
  if (!password) return 'Enter a new password.';
  if (password !== again) return 'The two passwords are not the same.';
  return '';
}

/**
 * The notice of the login page for its `extra` parameter, as Mattermost's login page reads it:
 * after a password reset (`passwordChange`), a verified address (`verified`), a changed sign-in
 * method (`signin_change`). '' for anything else.
 */
export function loginNotice(extra: string): string {
  switch (extra) {
    case 'passwordChange':
      return 'Your password was changed. Log in with the new one.';
    case 'verified':
      return 'Your email address is verified. Log in to continue.';
    case 'signin_change':
      return 'Your sign-in method has changed. Log in with the new one.';
    default:
      return '';
  }
}
