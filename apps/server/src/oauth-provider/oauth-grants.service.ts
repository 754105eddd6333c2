import { Injectable } from '@nestjs/common';
import { badRequest, forbidden, isValidId, newId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { hashToken } from '#auth';
import type { Session } from '../common/session.js';
import { SessionsService } from '../auth/sessions.service.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import {
  AUTH_CODE_EXPIRE_SECONDS,
  AUTH_CODE_RESPONSE_TYPE,
  AuthorizeRequest,
  checkPkce,
  DEFAULT_SCOPE,
  isCodeExpired,
  validateAuthorizeRequest,
} from './authorize.model.js';
import { isRegisteredCallback, OAuthAppRow, secretsMatch } from './oauth-app.model.js';
import { AUTHORIZED_OAUTH_APP, OAuthAppsRepository } from './oauth-apps.repository.js';
import { OAuthAppsService, providerDisabled } from './oauth-apps.service.js';
import { OAuthAccessRepository, OAuthCodesRepository } from './oauth-grants.repository.js';

/** Session props of an app's access token (model.SessionPropPlatform, SessionPropOAuthAppID, …). */
const SESSION_PROP_OAUTH_APP_ID = 'oauth_app_id';

/** What GET /oauth/authorize does for a valid request. */
export type AuthorizePageAnswer =
  /** Not signed in: to the login page, which comes back here. */
  | { kind: 'login'; location: string }
  /** A trusted or already authorised app: straight back to it with a code. */
  | { kind: 'redirect'; location: string }
  /** The consent page (the web app's), which POSTs /oauth/authorize when the user allows. */
  | { kind: 'consent' };

/** The form of POST /oauth/access_token, with the client's credentials from the body or Basic auth. */
export interface TokenRequest {
  grant_type: string;
  code: string;
  refresh_token: string;
  client_id: string;
  client_secret: string;
  redirect_uri: string;
  code_verifier: string;
}

/** The token response (model.AccessResponse), empty fields left out (standard clients refuse `""`). */
export interface AccessResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
}

/**
 * The OAuth 2.0 authorization server (Mattermost's web/oauth.go and app/oauth.go): the
 * authorization code flow with optional PKCE (S256) for confidential clients, and refresh tokens.
 * An access token is a session with `is_oauth` (the only kind the access_token query parameter
 * opens), lasting SessionLengthSSOInHours. Codes live ten minutes and work once.
 *
 * Unlike Mattermost, which hands a user's existing token back when the same app asks again, every
 * code redeemed here opens its own session (tokens are stored as digests, so an old one cannot be
 * handed back); deauthorizing ends them all.
 */
@Injectable()
export class OAuthGrantsService {
  constructor(
    private readonly apps: OAuthAppsService,
    private readonly appRows: OAuthAppsRepository,
    private readonly codes: OAuthCodesRepository,
    private readonly grants: OAuthAccessRepository,
    private readonly preferences: PreferencesRepository,
    private readonly sessions: SessionsService,
    private readonly users: UsersRepository,
    private readonly config: ConfigService,
  ) {}

  // ---- authorization ------------------------------------------------------------------------

  /**
   * GET /oauth/authorize (authorizeOAuthPage): a valid request for a known app; signed out, to the
   * login page; a callback the app did not register, 400; a trusted app, or one the user already
   * allowed, back at once with a code; otherwise the consent page.
   */
  async authorizePage(session: Session | undefined, req: AuthorizeRequest, requestUri: string): Promise<AuthorizePageAnswer> {
    this.apps.requireEnabled('api.oauth.authorize_oauth.disabled.app_error');
    validateAuthorizeRequest(req);
    const app = await this.apps.get(req.client_id);
    if (!session) {
      const site = this.config.get().ServiceSettings.SiteURL.replace(/\/+$/, '');
      return { kind: 'login', location: `${site}/login?redirect_to=${encodeURIComponent(requestUri)}` };
    }
    if (!isRegisteredCallback(app, req.redirect_uri)) throw redirectMismatch();
    const consented = await this.preferences.one(session.user_id, AUTHORIZED_OAUTH_APP, app.id);
    if (app.is_trusted || consented) return { kind: 'redirect', location: await this.allowFor(session.user_id, app, req) };
    return { kind: 'consent' };
  }

  /**
   * POST /oauth/authorize (authorizeOAuthApp): the signed-in user allows the app; the answer is
   * where to send the browser, with the code. An app's own session cannot authorise apps.
   */
  async allow(session: Session, req: AuthorizeRequest): Promise<string> {
    validateAuthorizeRequest(req);
    if (session.is_oauth) throw permissionDenied('edit_other_users');
    this.apps.requireEnabled();
    const app = await this.apps.get(req.client_id);
    if (!isRegisteredCallback(app, req.redirect_uri)) throw redirectMismatch();
    return this.allowFor(session.user_id, app, req);
  }

  /**
   * App.AllowOAuthAppAccessToUser: a code for the user (only response_type=code is served; others
   * go back as unsupported_response_type) and the consent remembered, so the next request skips it.
   */
  private async allowFor(userId: string, app: OAuthAppRow, req: AuthorizeRequest): Promise<string> {
    const scope = req.scope || DEFAULT_SCOPE;
    if (req.response_type !== AUTH_CODE_RESPONSE_TYPE) return withParams(req.redirect_uri, { error: 'unsupported_response_type', state: req.state });
    const code = newId() + newId();
    await this.codes.insert({
      code: hashToken(code),
      client_id: app.id,
      user_id: userId,
      expires_in: AUTH_CODE_EXPIRE_SECONDS,
      create_at: Date.now(),
      redirect_uri: req.redirect_uri,
      state: req.state,
      scope,
      code_challenge: req.code_challenge,
      code_challenge_method: req.code_challenge_method,
    });
    await this.preferences.upsert([{ user_id: userId, category: AUTHORIZED_OAUTH_APP, name: app.id, value: scope }]);
    return withParams(req.redirect_uri, { code, state: req.state });
  }

  // ---- tokens ---------------------------------------------------------------------------------

  /**
   * POST /oauth/access_token (getAccessToken): the grant type's parameter present (400), a valid
   * client id (400), the provider on (501), a known app (404) and its secret (403), then the grant.
   */
  async token(r: TokenRequest): Promise<AccessResponse> {
    if (r.grant_type === 'authorization_code') {
      if (!r.code) throw badRequest('api.oauth.get_access_token.missing_code.app_error', 'Missing code.');
    } else if (r.grant_type === 'refresh_token') {
      if (!r.refresh_token) throw badRequest('api.oauth.get_access_token.missing_refresh_token.app_error', 'Missing refresh token.');
    } else {
      throw badRequest('api.oauth.get_access_token.bad_grant.app_error', 'Invalid grant type.');
    }
    if (!isValidId(r.client_id)) throw badRequest('api.oauth.get_access_token.bad_client_id.app_error', 'Invalid client id.');
    this.apps.requireEnabled('api.oauth.get_access_token.disabled.app_error');
    const app = await this.appRows.get(r.client_id);
    if (!app) throw notFound('api.oauth.get_access_token.credentials.app_error', 'Invalid client credentials.');
    if (!secretsMatch(app.client_secret, r.client_secret)) throw forbidden('api.oauth.get_access_token.credentials.app_error', 'Invalid client credentials.');
    return r.grant_type === 'authorization_code' ? this.redeemCode(app, r) : this.refresh(app, r.refresh_token);
  }

  /**
   * The authorization code grant: the code is taken (it works once, even when what follows fails),
   * must be this app's, unexpired, for the same redirect URI, with the PKCE verifier its challenge
   * asks for, and for a user still active.
   */
  private async redeemCode(app: OAuthAppRow, r: TokenRequest): Promise<AccessResponse> {
    const code = await this.codes.take(hashToken(r.code));
    if (!code || code.client_id !== app.id) throw badRequest('api.oauth.get_access_token.expired_code.app_error', 'Invalid or expired authorization code.');
    if (isCodeExpired(code)) throw forbidden('api.oauth.get_access_token.expired_code.app_error', 'Invalid or expired authorization code.');
    if (code.redirect_uri !== r.redirect_uri)
      throw badRequest('api.oauth.get_access_token.redirect_uri.app_error', 'The redirect URI does not match the authorization request.');
    checkPkce(code, r.code_verifier);
    const user = await this.users.byId(code.user_id);
    if (!user) throw notFound('api.oauth.get_access_token.internal_user.app_error', 'Unable to find the user.');
    if (user.delete_at !== 0) throw forbidden('api.oauth.get_access_token.expired_code.app_error', 'Invalid or expired authorization code.');
    const { bearer, expiresAt } = await this.openSession(app, user.id, user.roles);
    const refresh = newId();
    await this.grants.insert({
      token: hashToken(bearer),
      refresh_token: hashToken(refresh),
      client_id: app.id,
      user_id: user.id,
      redirect_uri: code.redirect_uri,
      expires_at: expiresAt,
      scope: code.scope,
    });
    return this.answer(bearer, refresh, code.scope);
  }

  /**
   * The refresh token grant (newSessionUpdateToken): the grant's session ends and a new one opens,
   * with a new refresh token; the old refresh token is spent. It must be this app's grant.
   */
  private async refresh(app: OAuthAppRow, refreshToken: string): Promise<AccessResponse> {
    const refreshHash = hashToken(refreshToken);
    const grant = await this.grants.byRefreshToken(refreshHash);
    const invalid = () => notFound('api.oauth.get_access_token.refresh_token.app_error', 'Invalid refresh token.');
    if (!grant || grant.client_id !== app.id) throw invalid();
    const user = await this.users.byId(grant.user_id);
    if (!user) throw notFound('api.oauth.get_access_token.internal_user.app_error', 'Unable to find the user.');
    if (user.delete_at !== 0) throw invalid();
    const { bearer, expiresAt } = await this.openSession(app, user.id, user.roles);
    const refresh = newId();
    if (!(await this.grants.rotate(refreshHash, { token: hashToken(bearer), refresh_token: hashToken(refresh), expires_at: expiresAt }))) {
      // Another request spent this refresh token first: the session just opened must not live.
      await this.sessions.revokeByTokenHashes([hashToken(bearer)]);
      throw invalid();
    }
    await this.sessions.revokeByTokenHashes([grant.token]);
    return this.answer(bearer, refresh, grant.scope);
  }

  /** App.newSession: an OAuth session of SessionLengthSSOInHours, named after the app. */
  private async openSession(app: OAuthAppRow, userId: string, roles: string): Promise<{ bearer: string; expiresAt: number }> {
    const session = await this.sessions.create(userId, roles, {
      kind: 'sso',
      isOAuth: true,
      props: { platform: app.name, [SESSION_PROP_OAUTH_APP_ID]: app.id, os: 'OAuth2', browser: 'OAuth2' },
    });
    return { bearer: session.token, expiresAt: session.expires_at };
  }

  private answer(accessToken: string, refreshToken: string, scope: string): AccessResponse {
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: this.config.get().ServiceSettings.SessionLengthSSOInHours * 3600,
      ...(scope ? { scope } : {}),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
    };
  }

  // ---- discovery ------------------------------------------------------------------------------

  /**
   * GET /.well-known/oauth-authorization-server (RFC 8414, as Mattermost serves it): where the
   * endpoints are and what they support. `origin` stands in for an empty SiteURL.
   */
  metadata(origin: string) {
    this.apps.requireEnabled();
    const issuer = this.config.get().ServiceSettings.SiteURL.replace(/\/+$/, '') || origin;
    return {
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/access_token`,
      response_types_supported: [AUTH_CODE_RESPONSE_TYPE],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      code_challenge_methods_supported: ['S256'],
      scopes_supported: [DEFAULT_SCOPE],
    };
  }
}

function redirectMismatch() {
  return badRequest('api.oauth.allow_oauth.redirect_callback.app_error', 'The redirect URI is not one of the app’s callback URLs.');
}

/**
 * The redirect URI with parameters added to its own query (Mattermost keeps a callback's query,
 * MM-46216). An empty state is left out: a client that sent none expects none back.
 */
function withParams(redirectUri: string, params: Record<string, string>): string {
  const url = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) if (value || key !== 'state') url.searchParams.set(key, value);
  return url.toString();
}
