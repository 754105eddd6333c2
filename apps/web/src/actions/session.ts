/**
 * Signing in and out. The session is the server's cookie; these actions tell the server what the
 * person did and bring the app's state in line: signed in (the socket opens, the route loads) or
 * signed out (everything of the user is dropped, the socket closes).
 */
import type { UserProfile } from '@mattermost/types/users';
import { client, onUnauthorized } from '../api/client';
import { errorMessage, isApiError } from '../api/errors';
import { signedOutState } from '../state/app-state';
import { receivedClientConfig, signInOptions, type ClientConfigMap } from '../state/config';
import { NOT_VERIFIED } from '../state/mail-links';
import { safeRedirect } from '../state/route';
import { isMfaRequired, signedIn, signedOut, userIdFromCookie } from '../state/session';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';
import { currentPath, navigate } from './navigation';
import { connectSocket, disconnectSocket } from './socket';

/** Loads the client config: the limited one before sign-in, the full one after. */
export async function loadClientConfig(): Promise<void> {
  const config = (await client.getClientConfig()) as unknown as ClientConfigMap;
  update('config', (s) => receivedClientConfig(s, config));
}

/**
 * At start-up: whether the browser's cookie is a live session. Without MMUSERID there is none to
 * ask about; with it, GET /users/me answers (a 401 means it ended).
 */
export async function restoreSession(): Promise<void> {
  if (!userIdFromCookie(document.cookie)) {
    update('session', () => signedOut());
    return;
  }
  try {
    signedInAs(await client.getMe());
  } catch (err) {
    // The cookies outlived the session (expired or revoked): say so on the login page.
    if (isApiError(err) && err.status_code === 401) update('session', () => signedOut('expired'));
    else throw err;
  }
}

export type LoginResult = { status: 'ok' } | { status: 'mfa' } | { status: 'unverified' } | { status: 'error'; message: string };

/**
 * POST /users/login with the login id, the password and (on the second step) the MFA code. An
 * account with MFA answers mfa.validate_token.authenticate without a code: the page then asks
 * for it (as Mattermost's login page does, without a separate POST /users/mfa). Directory-only
 * servers send ldap_only. An address not verified yet (RequireEmailVerification) leads to the
 * "check your inbox" page, with `opts.email` or the login id as the address to send the link to
 * again. Signed in, the person goes to `opts.redirectTo`, else the login page's redirect_to, else
 * the root.
 */
export async function login(loginId: string, password: string, mfaToken = '', opts: { redirectTo?: string; email?: string } = {}): Promise<LoginResult> {
  const { ldapOnly } = signInOptions(store.get().config.client);
  try {
    const me = await client.login(loginId.trim(), password, mfaToken.trim(), ldapOnly);
    signedInAs(me);
  } catch (err) {
    if (!mfaToken && isApiError(err) && isMfaRequired(err.server_error_id)) return { status: 'mfa' };
    if (isApiError(err) && err.server_error_id === NOT_VERIFIED) {
      navigate({ screen: 'should_verify_email', email: (opts.email ?? loginId).trim() });
      return { status: 'unverified' };
    }
    return { status: 'error', message: errorMessage(err) };
  }
  const route = store.get().route;
  const to = opts.redirectTo || (route.screen === 'login' && route.redirectTo) || '/';
  // An OAuth app's sign-in goes back to the server, which sends a trusted or already authorised
  // app on at once and serves the consent page otherwise.
  if (isServerFlow(to)) window.location.assign(to);
  else navigate(to, { replace: true });
  return { status: 'ok' };
}

/** An invitation the sign-up uses: a mailed one's token (`?t=`) or a team's invite id (`?id=`), and the team's name when the link says it. */
export interface SignUpInvitation {
  token: string;
  inviteId: string;
  teamName: string;
}

/**
 * Creates an email account and signs in with it (the first account of a server becomes its system
 * admin). With an invitation the server adds the account to its team, which then opens. With
 * RequireEmailVerification the sign-in is refused until the mailed link is used: the "check your
 * inbox" page shows meanwhile (login above).
 */
export async function signUp(fields: { email: string; username: string; password: string }, invitation?: SignUpInvitation): Promise<LoginResult> {
  const email = fields.email.trim();
  try {
    const user = { email, username: fields.username.trim(), password: fields.password } as UserProfile;
    await client.createUser(user, invitation?.token ?? '', invitation?.inviteId ?? '');
  } catch (err) {
    return { status: 'error', message: errorMessage(err) };
  }
  const redirectTo = invitation?.teamName ? `/${invitation.teamName}` : undefined;
  return login(fields.username, fields.password, '', { email, redirectTo });
}

/** Ends the session on the server (which clears the cookies) and here. */
export async function logout(): Promise<void> {
  try {
    await client.logout();
  } catch {
    // Signed out here whatever the server said: the cookie is gone or useless either way.
  }
  endSession('logout');
  navigate('/login', { replace: true });
}

/**
 * A call answered 401 while signed in: the session expired or was revoked. Back to the login page,
 * which brings the person back to where they were.
 */
export function sessionExpired(): void {
  if (store.get().session.status !== 'signed-in') return;
  const path = currentPath();
  endSession('expired');
  navigate({ screen: 'login', redirectTo: safeRedirect(path), extra: '' }, { replace: true });
}

/** Hooks the API client's 401s to sessionExpired (once, at start-up). */
export function watchSession(): void {
  onUnauthorized(sessionExpired);
}

function signedInAs(me: UserProfile): void {
  // The cookie is the credential; Client4 keeps the login's Token header otherwise (api/client.ts).
  client.setToken('');
  update('users', (s) => receivedProfiles(s, [me]));
  update('session', () => signedIn(me.id));
  connectSocket();
  // The full client config, now that the server gives it.
  loadClientConfig().catch(() => undefined);
}

function endSession(reason: 'logout' | 'expired'): void {
  disconnectSocket();
  store.set((s) => signedOutState(s, reason));
  // The limited config again (the full one was the signed-in user's).
  loadClientConfig().catch(() => undefined);
}

/** A redirect_to the server must answer itself (a full page load), not the app's router. */
export function isServerFlow(path: string): boolean {
  return path.startsWith('/oauth/authorize');
}
