import { AppError } from '#common';
import type { Config } from '#config';
import { AUTH_SERVICE_NAMES } from '../sso/external-accounts.service.js';

/** The services that sign in through OAuth 2.0 / OpenID Connect (Mattermost's SSOSettings sections). */
export const OAUTH_LOGIN_SERVICES = ['gitlab', 'google', 'office365', 'openid'] as const;
export type OAuthLoginService = (typeof OAUTH_LOGIN_SERVICES)[number];

const SECTIONS = {
  gitlab: 'GitLabSettings',
  google: 'GoogleSettings',
  office365: 'Office365Settings',
  openid: 'OpenIdSettings',
} as const satisfies Record<OAuthLoginService, keyof Config>;

/**
 * How one service signs in, read from its settings section:
 * - `oidc`: OpenID Connect through the provider's discovery document (issuer, endpoints, JWKS);
 *   the person is the validated ID token's claims (and the UserInfo endpoint's, checked against
 *   the same subject).
 * - `oauth2`: GitLab without a DiscoveryEndpoint — Mattermost's classic flow: authorization code
 *   at AuthEndpoint/TokenEndpoint, then the person from UserAPIEndpoint (/api/v4/user).
 */
export type LoginProvider =
  | { kind: 'oidc'; service: OAuthLoginService; issuer: string; clientId: string; secret: string; scope: string }
  | {
      kind: 'oauth2';
      service: OAuthLoginService;
      issuer: string;
      authEndpoint: string;
      tokenEndpoint: string;
      userApiEndpoint: string;
      clientId: string;
      secret: string;
      scope: string;
    };

const WELL_KNOWN = '/.well-known/openid-configuration';

/**
 * The provider of `service`, or the AppError Mattermost answers: an unknown or disabled service is
 * `api.user.authorize_oauth_user.unsupported.app_error` (501), settings that name no usable
 * endpoint `api.user.get_authorization_code.endpoint.app_error`.
 */
export function loginProvider(service: string, cfg: Config): LoginProvider {
  if (!isLoginService(service) || !cfg[SECTIONS[service]].Enable) throw unsupported(service);
  const s = cfg[SECTIONS[service]];
  const base = { service, clientId: s.Id, secret: s.Secret };
  if (!s.Id) throw noEndpoint(service, 'Id is empty');
  let discovery = s.DiscoveryEndpoint;
  if (service === 'office365' && !discovery) {
    const tenant = cfg.Office365Settings.DirectoryId;
    // A tenant id or domain; 'common'/'organizations' discovery documents name a templated
    // issuer ("{tenantid}") that no ID token carries, so the token's issuer could not be checked.
    if (!/^[A-Za-z0-9.-]{1,128}$/.test(tenant) || ['common', 'organizations', 'consumers'].includes(tenant.toLowerCase())) {
      throw noEndpoint(service, 'Office365Settings.DirectoryId must name a tenant');
    }
    discovery = `https://login.microsoftonline.com/${tenant}/v2.0${WELL_KNOWN}`;
  }
  if (service === 'gitlab' && !discovery) {
    const endpoints = [s.AuthEndpoint, s.TokenEndpoint, s.UserAPIEndpoint];
    if (!endpoints.every(isHttpUrl)) throw noEndpoint(service, 'AuthEndpoint, TokenEndpoint and UserAPIEndpoint must be http(s) URLs');
    return {
      kind: 'oauth2',
      ...base,
      issuer: gitLabIssuer(s.AuthEndpoint),
      authEndpoint: s.AuthEndpoint,
      tokenEndpoint: s.TokenEndpoint,
      userApiEndpoint: s.UserAPIEndpoint,
      scope: s.Scope.trim(),
    };
  }
  if (!isHttpUrl(discovery)) throw noEndpoint(service, 'DiscoveryEndpoint must be an http(s) URL');
  return { kind: 'oidc', ...base, issuer: issuerOf(discovery), scope: oidcScope(s.Scope) };
}

export function isLoginService(service: string): service is OAuthLoginService {
  return (OAUTH_LOGIN_SERVICES as readonly string[]).includes(service);
}

/**
 * The issuer a discovery endpoint belongs to. Discovery is asked with the issuer so that
 * openid-client checks the document's `issuer` against it (given the document's URL itself, it
 * would take any issuer the document names).
 */
export function issuerOf(discoveryEndpoint: string): string {
  const url = discoveryEndpoint.replace(/\/+$/, '');
  return url.endsWith(WELL_KNOWN) ? url.slice(0, -WELL_KNOWN.length) : url;
}

/** GitLab's issuer is its base URL: AuthEndpoint without /oauth/authorize (GitLab may live under a path). */
function gitLabIssuer(authEndpoint: string): string {
  const url = new URL(authEndpoint);
  const path = url.pathname.replace(/\/oauth\/authorize\/?$/, '').replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

/**
 * The configured scope with what an OpenID sign-in needs: `openid` (or there is no ID token),
 * `email` and `profile` (or there is no address and no name to make the account from).
 * Office 365's default `User.Read` and Google's `profile email` are kept.
 */
export function oidcScope(configured: string): string {
  const scopes = configured.split(/\s+/).filter(Boolean);
  for (const needed of ['openid', 'email', 'profile']) if (!scopes.includes(needed)) scopes.push(needed);
  return scopes.join(' ');
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** How Mattermost names a service in its messages; an unknown one by its (checked) route segment. */
export function serviceName(service: string): string {
  if (isLoginService(service)) return AUTH_SERVICE_NAMES[service];
  return /^[A-Za-z0-9]{1,32}$/.test(service) ? service.charAt(0).toUpperCase() + service.slice(1) : 'This service';
}

export function unsupported(service: string): AppError {
  return new AppError(
    'getSSOProvider',
    'api.user.authorize_oauth_user.unsupported.app_error',
    `${serviceName(service)} SSO through OAuth 2.0 not available on this server.`,
    501,
    `service=${service.slice(0, 64)}`,
  );
}

function noEndpoint(service: OAuthLoginService, detail: string): AppError {
  return new AppError(
    'GetAuthorizationCode',
    'api.user.get_authorization_code.endpoint.app_error',
    'Error retrieving endpoint from Discovery Document.',
    501,
    `service=${service}: ${detail}`,
  );
}
