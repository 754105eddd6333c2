import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, badRequest } from '#common';
import { Config, ConfigService } from '#config';
import { SESSION_PROP_CSRF } from '../common/session.js';
import { setSessionCookies } from '../auth/session-cookies.js';
import { SessionsService } from '../auth/sessions.service.js';
import type { UserRow } from '../users/user.model.js';
import { ExternalAccountsService, ExternalIdentity } from './external-accounts.service.js';

/**
 * What a browser sign-in was started for (Mattermost's OAuthAction*): a web login or sign-up, the
 * mobile app's login (ends on the app's URL scheme), or switching an account's sign-in method.
 */
export type SignInAction = 'login' | 'signup' | 'mobile' | 'email_to_sso' | 'sso_to_email';
const ACTIONS: ReadonlySet<string> = new Set<SignInAction>(['login', 'signup', 'mobile', 'email_to_sso', 'sso_to_email']);

/** Where a sign-in ends, checked when it starts and kept with the flow (OIDC state, SAML RelayState). */
export interface SignInTarget {
  action: SignInAction;
  /** '' for the site's root; otherwise a checked URL or path (see target()). */
  redirectTo: string;
  /** email_to_sso only: the token POST /users/login/switch gave (ExternalAccountsService.startSwitch). */
  switchToken?: string;
}

/** The browser-facing routes of the sign-in methods: not under /api/v4 (main.ts excludes them from the prefix). */
export const WEB_ROUTES = [
  'login/sso/saml',
  'oauth/:service/login',
  'oauth/:service/signup',
  'oauth/:service/mobile_login',
  'oauth/:service/complete',
  'login/:service/complete',
  'signup/:service/complete',
];

/**
 * The two ends of every browser sign-in (SAML, GitLab, Google, Office 365, OpenID): checking where
 * it may end before it starts, and ending it — with a session and cookies on success, on the web
 * app's error page (or the mobile app's scheme) on failure. One place, so that no provider can be
 * made into an open redirect.
 */
@Injectable()
export class WebSignIn {
  private readonly log = new Logger('WebSignIn');

  constructor(
    private readonly sessions: SessionsService,
    private readonly config: ConfigService,
    private readonly accounts: ExternalAccountsService,
  ) {}

  /**
   * The checked target of a sign-in being started. `redirectTo` may be a path on this site, a URL
   * under SiteURL or — for the mobile action only — a URL on one of
   * NativeAppSettings.AppCustomURLSchemes; anything else is a 400 (no open redirect).
   */
  target(action: string | undefined, redirectTo: string | undefined, switchToken?: string): SignInTarget {
    const act = (action || 'login') as SignInAction;
    if (!ACTIONS.has(act)) throw badRequest('api.user.oauth.invalid_action.app_error', 'Invalid sign-in action.', `action=${action}`);
    const to = redirectTo ?? '';
    if (to && !this.allowedRedirect(to, act === 'mobile')) {
      throw badRequest('api.oauth.redirect_url.invalid.app_error', 'Invalid redirect URL.', `redirect_to=${to.slice(0, 200)}`);
    }
    if (act === 'email_to_sso') {
      if (!switchToken) throw badRequest('api.user.complete_switch_with_oauth.unavailable.app_error', 'Start the switch with POST /api/v4/users/login/switch.');
      return { action: act, redirectTo: to, switchToken };
    }
    return { action: act, redirectTo: to };
  }

  /**
   * Ends a provider's sign-in for `identity` (what every provider's callback calls once it has
   * checked the provider's answer): the account is found, made or updated and signed in; or, for
   * a switch, the account is moved to the provider and sent to the login page
   * (`/login?extra=signin_change`, as Mattermost).
   */
  async finish(res: Response, identity: ExternalIdentity, target: SignInTarget, opts: { deviceId?: string } = {}): Promise<void> {
    if (target.action === 'email_to_sso') {
      await this.accounts.completeSwitch(target.switchToken ?? '', identity);
      res.redirect(302, `${siteRoot(this.config.get())}login?extra=signin_change`);
      return;
    }
    const user = await this.accounts.signIn(identity);
    await this.complete(res, user, target, opts);
  }

  /**
   * Ends a successful sign-in: opens an SSO session (a mobile one for the app), sets the session
   * cookies and sends the browser on. The mobile app gets a page that opens its scheme with the
   * token and CSRF token as query parameters (MMAUTHTOKEN, MMCSRF), as Mattermost's apps read them.
   */
  async complete(res: Response, user: UserRow, target: SignInTarget, opts: { deviceId?: string } = {}): Promise<void> {
    const cfg = this.config.get();
    const mobile = target.action === 'mobile';
    const session = await this.sessions.create(user.id, user.roles, { kind: mobile ? 'mobile' : 'sso', deviceId: opts.deviceId });
    setSessionCookies(res, session, cfg);
    if (mobile && target.redirectTo) {
      const url = withQuery(target.redirectTo, { MMAUTHTOKEN: session.token, MMCSRF: session.props[SESSION_PROP_CSRF] });
      sendAppPage(res, url, 'Login Successful');
      return;
    }
    res.redirect(302, target.redirectTo ? this.absolute(target.redirectTo, cfg) : siteRoot(cfg));
  }

  /**
   * Ends a failed sign-in: no session, and the reason shown on the web app's error page, or
   * handed to the mobile app on its scheme (`?error=`). Unexpected errors are logged and shown
   * generically.
   */
  fail(res: Response, err: unknown, target?: SignInTarget): void {
    const appError = err instanceof AppError ? err : undefined;
    if (!appError) this.log.error(`sign-in failed: ${err instanceof Error ? err.stack : String(err)}`);
    const message = appError?.message ?? 'An error occurred while signing in.';
    const id = appError?.id ?? 'api.user.login.sso.app_error';
    if (target?.action === 'mobile' && target.redirectTo) {
      sendAppPage(res, withQuery(target.redirectTo, { error: message }), 'Login Failed');
      return;
    }
    const page = withQuery(`${siteRoot(this.config.get()).replace(/\/$/, '')}/error`, { type: 'sso', message, error_id: id });
    res.redirect(302, page);
  }

  private allowedRedirect(to: string, mobile: boolean): boolean {
    const cfg = this.config.get();
    if (mobile) return cfg.NativeAppSettings.AppCustomURLSchemes.some((scheme) => scheme && to.toLowerCase().startsWith(scheme.toLowerCase()));
    // A path on this site: one leading slash, no scheme-relative '//' or '/\' (browsers read both as another host).
    if (to.startsWith('/')) return !/^\/[/\\]/.test(to);
    const site = cfg.ServiceSettings.SiteURL;
    if (!site) return false;
    try {
      const url = new URL(to);
      const base = new URL(site);
      const basePath = base.pathname.replace(/\/$/, '');
      return url.origin === base.origin && (url.pathname === basePath || url.pathname.startsWith(`${basePath}/`));
    } catch {
      return false;
    }
  }

  private absolute(to: string, cfg: Config): string {
    if (!to.startsWith('/')) return to;
    const site = cfg.ServiceSettings.SiteURL.replace(/\/$/, '');
    return `${site}${to}`;
  }
}

function siteRoot(cfg: Config): string {
  const site = cfg.ServiceSettings.SiteURL.replace(/\/$/, '');
  return `${site}/`;
}

function withQuery(url: string, params: Record<string, string>): string {
  const query = new URLSearchParams(params).toString();
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The page that hands a sign-in to the mobile app (Mattermost's RenderMobileAuthComplete): some
 * browsers do not follow a redirect to an app's scheme, so the page opens it and links to it.
 */
function sendAppPage(res: Response, url: string, title: string): void {
  const href = escapeHtml(url);
  res
    .status(200)
    .type('html')
    .set('Cache-Control', 'no-store')
    .set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
    .send(
      `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
        `<meta http-equiv="refresh" content="0; url=${href}"></head>` +
        `<body><p>${escapeHtml(title)}. <a id="app-link" href="${href}">Open the app</a>.</p></body></html>`,
    );
}
