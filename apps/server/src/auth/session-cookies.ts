import type { Response } from 'express';
import { Config } from '#config';
import { AUTH_COOKIE, CSRF_COOKIE, USER_COOKIE } from '#auth';
import { SESSION_PROP_CSRF } from '../common/session.js';
import type { Session } from '../common/session.js';

/**
 * Mattermost's three session cookies, set by every way of signing in (password login, SSO
 * callbacks): the token (HttpOnly), the user id and the CSRF token the web app echoes in
 * X-CSRF-Token. Secure when SiteURL is https.
 */
export function setSessionCookies(res: Response, session: Session, cfg: Config): void {
  const maxAge = Math.max(0, session.expires_at - Date.now());
  const secure = cfg.ServiceSettings.SiteURL.startsWith('https://');
  const base = { path: '/', maxAge, secure, sameSite: 'lax' as const };
  res.cookie(AUTH_COOKIE, session.token, { ...base, httpOnly: true });
  res.cookie(USER_COOKIE, session.user_id, base);
  res.cookie(CSRF_COOKIE, session.props[SESSION_PROP_CSRF], base);
}

export function clearSessionCookies(res: Response): void {
  for (const name of [AUTH_COOKIE, USER_COOKIE, CSRF_COOKIE]) res.clearCookie(name, { path: '/' });
}
