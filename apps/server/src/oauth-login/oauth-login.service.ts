import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Response } from 'express';
import * as oidc from 'openid-client';
import { AppError, badRequest } from '#common';
import { Config, ConfigService } from '#config';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';
import { SsoFlowsRepository } from '../sso/sso-flows.repository.js';
import { SignInTarget, WebSignIn } from '../sso/web-sign-in.js';
import { identityFromClaims, identityFromGitLabUser } from './identity.js';
import { LoginProvider, loginProvider, OAuthLoginService as Service, serviceName } from './login-providers.js';
import { ProviderConfigs } from './provider-configs.js';

/** The cookie that ties a sign-in to the browser that started it (Mattermost's MMOAUTH). */
export const OAUTH_COOKIE = 'MMOAUTH';
/** How long a started sign-in may take at the provider (Mattermost's OAuth cookie lives 30 minutes). */
const FLOW_TTL_MS = 30 * 60_000;
const FLOW_KIND = 'oauth-login';
/** Largest answer read from a provider's user API. */
const MAX_USER_BODY = 64 * 1024;

/** What a started sign-in keeps in sso_flows under its `state`, for whichever node the callback reaches. */
interface LoginFlow {
  service: Service;
  /** The PKCE code_verifier; the provider got only its S256 challenge. */
  verifier: string;
  /** The nonce the ID token must carry (OpenID Connect only). */
  nonce?: string;
  /** SHA-256 of the MMOAUTH cookie set on the browser that started the sign-in. */
  browser: string;
  target: SignInTarget;
}

export interface StartRequest {
  /** login, signup (the /signup route), mobile (/mobile_login), or what `action` asked for. */
  action: string | undefined;
  redirectTo?: string;
  switchToken?: string;
  loginHint?: string;
  /** The site's URL as this request reached it, for when ServiceSettings.SiteURL is empty. */
  origin: string;
}

export interface CallbackRequest {
  /** The callback's query parameters exactly as the provider sent them (code, state, iss, error, …). */
  params: URLSearchParams;
  /** The MMOAUTH cookie the browser sent. */
  browserCookie?: string;
  origin: string;
}

/**
 * Sign-in with GitLab, Google, Office 365 and OpenID Connect providers (Mattermost's
 * web/oauth.go and app/oauth.go, as an OAuth client): the authorization code flow with state,
 * PKCE (S256) and — for OpenID Connect — a nonce and an ID token that openid-client validates
 * against the provider's JWKS. The state, nonce and verifier are kept in sso_flows and taken once
 * by the callback, on any node; the flow is also bound to the starting browser by a cookie, so a
 * callback URL completed in another browser (a login CSRF) is refused.
 */
@Injectable()
export class OAuthLoginService {
  private readonly log = new Logger('oauth-login');

  constructor(
    private readonly config: ConfigService,
    private readonly flows: SsoFlowsRepository,
    private readonly web: WebSignIn,
    private readonly providers: ProviderConfigs,
  ) {}

  /**
   * GET /oauth/{service}/login|signup|mobile_login: checks where the sign-in may end, keeps the
   * flow, and sends the browser to the provider's authorization endpoint. Failures end on the
   * error page (or, once the target is known to be the app, on the app's scheme).
   */
  async start(res: Response, service: string, req: StartRequest): Promise<void> {
    let target: SignInTarget | undefined;
    try {
      const cfg = this.config.get();
      const provider = loginProvider(service, cfg);
      if (req.action === 'signup' && !cfg.TeamSettings.EnableUserCreation) {
        throw badRequest('api.oauth.singup_with_oauth.disabled.app_error', 'User sign-up is disabled.');
      }
      target = this.web.target(req.action, req.redirectTo, req.switchToken);
      const config = await this.configFor(provider);
      const state = oidc.randomState();
      const verifier = oidc.randomPKCECodeVerifier();
      const nonce = provider.kind === 'oidc' ? oidc.randomNonce() : undefined;
      const browserCookie = randomBytes(32).toString('base64url');
      const flow: LoginFlow = { service: provider.service, verifier, nonce, browser: sha256(browserCookie), target };
      await this.flows.put(FLOW_KIND, state, flow, Date.now() + FLOW_TTL_MS);
      const params: Record<string, string> = {
        redirect_uri: redirectUri(cfg, provider.service, req.origin),
        state,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      };
      if (provider.scope) params.scope = provider.scope;
      if (nonce) params.nonce = nonce;
      if (req.loginHint) params.login_hint = req.loginHint;
      res.cookie(OAUTH_COOKIE, browserCookie, { ...cookieOptions(cfg), maxAge: FLOW_TTL_MS });
      res.redirect(302, oidc.buildAuthorizationUrl(config, params).href);
    } catch (err) {
      this.refused(service, err);
      this.web.fail(res, err, target);
    }
  }

  /**
   * GET /signup|login/{service}/complete and /oauth/{service}/complete: takes the flow named by
   * `state` (once, cluster-wide), checks it belongs to this service and browser, redeems the code
   * with the flow's PKCE verifier, validates the ID token (signature, issuer, audience, expiry,
   * nonce), reads the person and ends the sign-in through WebSignIn.
   */
  async complete(res: Response, service: string, req: CallbackRequest): Promise<void> {
    let target: SignInTarget | undefined;
    const cfg = this.config.get();
    res.clearCookie(OAUTH_COOKIE, cookieOptions(cfg));
    try {
      const provider = loginProvider(service, cfg);
      const state = req.params.get('state') ?? '';
      const flow = await this.takeFlow(provider.service, state, req.browserCookie);
      target = flow?.target;
      const error = req.params.get('error');
      if (error) throw providerError(provider.service, error, req.params.get('error_description') ?? '');
      if (!flow) throw invalidState('no sign-in under way for this state in this browser');
      if (!req.params.get('code')) {
        throw badRequest('api.user.authorize_oauth_user.missing_code.app_error', `The sign-in with ${serviceName(service)} returned no authorization code.`);
      }
      const identity = await this.identity(provider, flow, state, req, cfg);
      await this.web.finish(res, identity, flow.target);
    } catch (err) {
      this.refused(service, err);
      this.web.fail(res, err, target);
    }
  }

  /**
   * The flow `state` names, taken (deleted) whatever comes next, so a state is good for one
   * callback on any node. Undefined for an unknown, expired or malformed state, one started for
   * another service, or one started in another browser.
   */
  private async takeFlow(service: Service, state: string, browserCookie: string | undefined): Promise<LoginFlow | undefined> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(state)) return undefined;
    const flow = await this.flows.take<LoginFlow>(FLOW_KIND, state);
    if (!flow || flow.service !== service || typeof flow.verifier !== 'string' || !flow.verifier) return undefined;
    if (!browserCookie || !sameHash(sha256(browserCookie), flow.browser)) return undefined;
    return flow;
  }

  /** Redeems the code and reads the person: ID token + UserInfo (OpenID Connect) or GitLab's user API. */
  private async identity(provider: LoginProvider, flow: LoginFlow, state: string, req: CallbackRequest, cfg: Config): Promise<ExternalIdentity> {
    const config = await this.configFor(provider);
    // openid-client reads the authorization response from this URL and sends its path as the
    // token request's redirect_uri: the one the authorization request named, whichever of the
    // callback routes the provider used.
    const currentUrl = new URL(redirectUri(cfg, provider.service, req.origin));
    for (const [k, v] of req.params) currentUrl.searchParams.append(k, v);
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: flow.verifier,
        expectedState: state,
        expectedNonce: flow.nonce,
        idTokenExpected: provider.kind === 'oidc',
      });
      if (provider.kind === 'oauth2') return identityFromGitLabUser(await this.gitLabUser(config, provider, tokens.access_token));
      const claims = tokens.claims();
      if (!claims) throw new oidc.ClientError('no ID token');
      let userInfo: Record<string, unknown> = {};
      // Providers put the scope's claims in UserInfo rather than the ID token (OIDC Core 5.4);
      // openid-client checks that UserInfo describes the ID token's subject.
      if (config.serverMetadata().userinfo_endpoint) userInfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
      return identityFromClaims(provider.service, { ...userInfo, ...claims });
    } catch (err) {
      throw tokenError(provider.service, err);
    }
  }

  /** GitLab's /api/v4/user for the access token (Mattermost's AuthorizeOAuthUser, UserAPIEndpoint). */
  private async gitLabUser(config: oidc.Configuration, provider: Extract<LoginProvider, { kind: 'oauth2' }>, accessToken: string): Promise<unknown> {
    const res = await oidc.fetchProtectedResource(config, accessToken, new URL(provider.userApiEndpoint), 'GET');
    const text = (await res.text()).slice(0, MAX_USER_BODY);
    if (res.status === 403 && text.includes('Terms of Service')) {
      throw badRequest(
        'oauth.gitlab.tos.error',
        `GitLab's Terms of Service have been updated. Please go to ${new URL(provider.userApiEndpoint).hostname} to accept them and then try logging into Mattermost again.`,
      );
    }
    if (res.status !== 200) {
      throw new AppError(
        'AuthorizeOAuthUser',
        'api.user.authorize_oauth_user.response.app_error',
        'Received invalid response from OAuth service provider.',
        502,
        `status=${res.status}`,
      );
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined; // refused by identityFromGitLabUser
    }
  }

  private async configFor(provider: LoginProvider): Promise<oidc.Configuration> {
    try {
      return await this.providers.get(provider);
    } catch (err) {
      throw new AppError(
        'GetAuthorizationCode',
        'api.user.get_authorization_code.endpoint.app_error',
        'Error retrieving endpoint from Discovery Document.',
        502,
        describe(err),
      );
    }
  }

  /** Why a sign-in was refused, for the administrator: the page the person sees says less. */
  private refused(service: string, err: unknown): void {
    if (err instanceof AppError) this.log.warn(`${service.slice(0, 32)} sign-in refused: ${err.id}${err.detailedError ? ` (${err.detailedError})` : ''}`);
  }
}

/** Where the provider sends the browser back: SiteURL + /signup/{service}/complete, as Mattermost registers it. */
function redirectUri(cfg: Config, service: Service, origin: string): string {
  const site = (cfg.ServiceSettings.SiteURL || origin).replace(/\/+$/, '');
  return `${site}/signup/${service}/complete`;
}

function cookieOptions(cfg: Config) {
  const site = cfg.ServiceSettings.SiteURL;
  let path = '/';
  try {
    if (site) path = new URL(site).pathname.replace(/\/+$/, '') || '/';
  } catch {
    // An unparsable SiteURL is refused by config validation; keep the root.
  }
  return { path, httpOnly: true, secure: site.startsWith('https://'), sameSite: 'lax' as const };
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function sameHash(a: string, b: unknown): boolean {
  return typeof b === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function invalidState(detail: string): AppError {
  return badRequest('api.user.authorize_oauth_user.invalid_state.app_error', 'Invalid state', detail);
}

/** The provider's own refusal in the callback (`error=`): the person said no, or the request was refused. */
function providerError(service: Service, error: string, description: string): AppError {
  const detail = `error=${error.slice(0, 64)}${description ? `: ${description.slice(0, 200)}` : ''}`;
  if (error === 'access_denied') {
    return new AppError(
      'completeOAuth',
      'api.user.authorize_oauth_user.access_denied.app_error',
      `Sign-in with ${serviceName(service)} was cancelled or denied.`,
      403,
      detail,
    );
  }
  return new AppError(
    'completeOAuth',
    'api.user.authorize_oauth_user.response.app_error',
    'Received invalid response from OAuth service provider.',
    400,
    detail,
  );
}

/**
 * A failed code redemption or token validation as an AppError: the provider's refusal
 * (invalid_grant: a spent code, a PKCE mismatch, another client's code), or openid-client's
 * (state, issuer, signature, audience, expiry, nonce, subject), or no answer at all.
 */
function tokenError(service: Service, err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof TypeError && !(err instanceof oidc.ClientError)) {
    return new AppError(
      'AuthorizeOAuthUser',
      'api.user.authorize_oauth_user.service.app_error',
      `Token request to ${serviceName(service)} failed.`,
      502,
      describe(err),
    );
  }
  return new AppError('AuthorizeOAuthUser', 'api.user.authorize_oauth_user.token_failed.app_error', 'Token request failed.', 400, describe(err));
}

function describe(err: unknown): string {
  if (err instanceof oidc.ResponseBodyError) return `${err.error}${err.error_description ? `: ${err.error_description}` : ''}`;
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const cause = err.cause instanceof Error ? ` — ${err.cause.message}` : '';
  return `${typeof code === 'string' ? `${code}: ` : ''}${err.message}${cause}`.slice(0, 500);
}
