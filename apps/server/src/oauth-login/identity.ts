import { AppError } from '#common';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';
import type { OAuthLoginService } from './login-providers.js';
import { serviceName } from './login-providers.js';

/**
 * An OpenID Connect person: the validated ID token's claims, with what the UserInfo endpoint
 * added (openid-client checked that UserInfo's `sub` is the ID token's). `sub` is the account's
 * auth_data; the username comes from preferred_username (without an `@domain`, as Mattermost's
 * OpenID provider does) or the email's local part; the names from given_name/family_name, or
 * `name` split at its first space.
 */
export function identityFromClaims(service: OAuthLoginService, claims: Record<string, unknown>): ExternalIdentity {
  const sub = str(claims.sub);
  const email = str(claims.email);
  if (!sub || !email) throw cannotParse(service, !sub ? 'no sub claim' : 'no email claim');
  // A provider that says the address is unverified is not trusted with it (Mattermost does not
  // look at the claim; accounts are never merged by email here either, but an unverified address
  // would still become this account's).
  if (claims.email_verified === false || claims.email_verified === 'false') {
    throw new AppError(
      'LoginByOAuth',
      'api.user.login_by_oauth.email_not_verified.app_error',
      `The email address of this ${serviceName(service)} account is not verified.`,
      400,
    );
  }
  const preferred = str(claims.preferred_username).split('@')[0];
  let firstName = str(claims.given_name);
  let lastName = str(claims.family_name);
  if (!firstName && !lastName && str(claims.name)) [firstName, lastName = ''] = splitOnce(str(claims.name));
  return {
    service,
    authData: sub,
    email,
    username: preferred || email.split('@')[0],
    firstName,
    lastName,
    nickname: str(claims.nickname) || undefined,
  };
}

/**
 * A GitLab person from /api/v4/user (Mattermost's GitLabProvider): the numeric `id` is
 * auth_data, `username` (or `login`) the wanted username, `name` split into first name and the
 * rest.
 */
export function identityFromGitLabUser(body: unknown): ExternalIdentity {
  const user = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const id = typeof user.id === 'number' && Number.isSafeInteger(user.id) && user.id > 0 ? String(user.id) : '';
  const email = str(user.email);
  if (!id || !email) throw cannotParse('gitlab', !id ? 'no user id' : 'no email');
  const [firstName, lastName = ''] = splitOnce(str(user.name));
  return {
    service: 'gitlab',
    authData: id,
    email,
    username: str(user.username) || str(user.login) || email.split('@')[0],
    firstName,
    lastName,
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

function splitOnce(name: string): [string, string?] {
  const at = name.indexOf(' ');
  return at < 0 ? [name] : [name.slice(0, at), name.slice(at + 1).trim()];
}

function cannotParse(service: OAuthLoginService, detail: string): AppError {
  return new AppError(
    'LoginByOAuth',
    'api.user.login_by_oauth.parse.app_error',
    `Could not parse auth data out of ${serviceName(service)} user object.`,
    400,
    detail,
  );
}
