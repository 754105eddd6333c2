import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { parseCookies } from '#auth';
import { Public } from '../common/decorators.js';
import { OAUTH_COOKIE, OAuthLoginService } from './oauth-login.service.js';

/**
 * The browser routes of OAuth / OpenID Connect sign-in (Mattermost's web/oauth.go), outside
 * /api/v4 (sso/web-sign-in.ts WEB_ROUTES). They answer with redirects and pages, never JSON:
 * every failure ends on the web app's error page or the mobile app's scheme.
 */
@Public()
@Controller()
export class OAuthLoginController {
  constructor(private readonly oauth: OAuthLoginService) {}

  @Get('oauth/:service/login')
  login(@Param('service') service: string, @Query() q: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    return this.oauth.start(res, service, {
      action: text(q.action, 32),
      redirectTo: text(q.redirect_to, 2048),
      switchToken: text(q.switch_token, 128),
      loginHint: text(q.login_hint, 256),
      origin: origin(req),
    });
  }

  /** Mattermost's signup takes no redirect: the new account lands on the site's root. */
  @Get('oauth/:service/signup')
  signup(@Param('service') service: string, @Req() req: Request, @Res() res: Response) {
    return this.oauth.start(res, service, { action: 'signup', origin: origin(req) });
  }

  /** The mobile app's sign-in: ends on `redirect_to`, one of NativeAppSettings.AppCustomURLSchemes. */
  @Get('oauth/:service/mobile_login')
  mobileLogin(@Param('service') service: string, @Query() q: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    return this.oauth.start(res, service, { action: 'mobile', redirectTo: text(q.redirect_to, 2048), origin: origin(req) });
  }

  /** The callback SiteURL/signup/{service}/complete, the redirect URI registered at the provider. */
  @Get('signup/:service/complete')
  signupComplete(@Param('service') service: string, @Req() req: Request, @Res() res: Response) {
    return this.callback(service, req, res);
  }

  /** Older registrations of the callback, which Mattermost still serves. */
  @Get('login/:service/complete')
  loginComplete(@Param('service') service: string, @Req() req: Request, @Res() res: Response) {
    return this.callback(service, req, res);
  }

  @Get('oauth/:service/complete')
  oauthComplete(@Param('service') service: string, @Req() req: Request, @Res() res: Response) {
    return this.callback(service, req, res);
  }

  private callback(service: string, req: Request, res: Response) {
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    return this.oauth.complete(res, service, {
      params: new URLSearchParams(query),
      browserCookie: parseCookies(req.headers.cookie)[OAUTH_COOKIE],
      origin: origin(req),
    });
  }
}

/** A query parameter given once, as text of at most `max` characters; anything else counts as absent. */
function text(value: unknown, max: number): string | undefined {
  return typeof value === 'string' && value.length <= max ? value : undefined;
}

/** The site as this request reached it (Mattermost's GetSiteURLHeader), used only when SiteURL is empty. */
function origin(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}
