import { Body, Controller, Get, Next, Post, Req, Res } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppError, invalidParam, isValidId } from '#common';
import { ConfigService } from '#config';
import { CurrentSession, Public, TrustRequester } from '../common/decorators.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { sendWebErrorPage } from '../common/web-error-page.js';
import { WebApp } from '../web/web-app.js';
import { AuthorizeRequest } from './authorize.model.js';
import { OAuthAppsService } from './oauth-apps.service.js';
import { OAuthGrantsService, TokenRequest } from './oauth-grants.service.js';

/**
 * The routes of the OAuth 2.0 authorization server, at the site's root as in Mattermost
 * (web/oauth.go): main.ts keeps them out of the /api/v4 prefix and gives them their bodies (JSON
 * for /oauth/authorize and /oauth/deauthorize, a form for /oauth/access_token).
 */
export const OAUTH_PROVIDER_ROUTES = ['oauth/authorize', 'oauth/deauthorize', 'oauth/access_token', '.well-known/oauth-authorization-server'];

/** A query or form value given once, as text; anything else counts as absent. */
function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** An authorization request from the query (GET) or a JSON body (POST); fields of another type are refused. */
function authorizeRequest(source: Record<string, unknown>, strict: boolean): AuthorizeRequest {
  const field = (key: string) => {
    const value = source[key];
    if (strict && value !== undefined && value !== null && typeof value !== 'string') throw invalidParam('authorize_request');
    return text(value);
  };
  return {
    response_type: field('response_type'),
    client_id: field('client_id'),
    redirect_uri: field('redirect_uri'),
    scope: field('scope'),
    state: field('state'),
    code_challenge: field('code_challenge'),
    code_challenge_method: field('code_challenge_method'),
  };
}

/** Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1: each part form-encoded), if sent. */
function basicCredentials(req: Request): { id: string; secret: string } | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.headers.authorization?.trim() ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const unform = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

@Controller()
export class OAuthProviderController {
  constructor(
    private readonly grants: OAuthGrantsService,
    private readonly apps: OAuthAppsService,
    private readonly web: WebApp,
    private readonly config: ConfigService,
  ) {}

  /**
   * The browser's entry (authorizeOAuthPage): a redirect (to the login page, or back to the app
   * with a code), the web app's consent page, or an error page.
   */
  @Public()
  @Get('oauth/authorize')
  async authorizePage(@Req() req: ApiRequest, @Res() res: Response, @Next() next: NextFunction) {
    try {
      const answer = await this.grants.authorizePage(req.session, authorizeRequest(req.query, false), req.originalUrl);
      if (answer.kind === 'consent') {
        res.set('Cache-Control', 'no-store');
        this.web.sendPage(res, next);
        return;
      }
      res.redirect(302, answer.location);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      sendWebErrorPage(res, err, this.config.get().ServiceSettings.SiteURL);
    }
  }

  /** The consent page's "Allow" (authorizeOAuthApp): `{"redirect": "<callback>?code=…&state=…"}`. */
  @Post('oauth/authorize')
  async authorize(@Body() body: unknown, @CurrentSession() s: Session) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidParam('authorize_request');
    return { redirect: await this.grants.allow(s, authorizeRequest(body as Record<string, unknown>, true)) };
  }

  /** The signed-in user withdraws an app's access (deauthorizeOAuthApp). */
  @Post('oauth/deauthorize')
  async deauthorize(@Body() body: unknown, @CurrentSession() s: Session) {
    const clientId = body !== null && typeof body === 'object' ? (body as Record<string, unknown>).client_id : undefined;
    if (!isValidId(clientId)) throw invalidParam('client_id');
    await this.apps.deauthorize(s, clientId);
    return { status: 'OK' };
  }

  /**
   * The token endpoint (getAccessToken): a form, the client authenticated by client_id and
   * client_secret in it or by HTTP Basic. No session and no CSRF check (APIHandlerTrustRequester).
   */
  @Public()
  @TrustRequester()
  @Post('oauth/access_token')
  async accessToken(@Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const form = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const basic = basicCredentials(req);
    const request: TokenRequest = {
      grant_type: text(form.grant_type),
      code: text(form.code),
      refresh_token: text(form.refresh_token),
      client_id: text(form.client_id) || basic?.id || '',
      client_secret: text(form.client_secret) || basic?.secret || '',
      redirect_uri: text(form.redirect_uri),
      code_verifier: text(form.code_verifier),
    };
    const answer = await this.grants.token(request);
    res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    return answer;
  }

  /** RFC 8414 metadata, so that clients can discover the endpoints. */
  @Public()
  @Get('.well-known/oauth-authorization-server')
  metadata(@Req() req: Request) {
    return this.grants.metadata(`${req.protocol}://${req.get('host') ?? 'localhost'}`);
  }
}
