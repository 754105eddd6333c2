import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { sessionExpired } from '#common';
import { ConfigService } from '#config';
import { CSRF_HEADER, findToken, header } from '#auth';
import { MFA_SETUP_ROUTE, PUBLIC_ROUTE, routeMetadata, TRUST_REQUESTER } from '../common/decorators.js';
import { ApiRequest } from '../common/request.js';
import { SESSION_PROP_CSRF } from '../common/session.js';
import { isLocalConnection, isLocalRoute, localModeDisabled, localRouteNotFound, localSession } from '../local-mode/local-session.js';
import { mfaRequired, mfaSetupRequired } from './mfa-enforcement.js';
import { SessionsService } from './sessions.service.js';

/**
 * Resolves the caller's session for every route, with Mattermost's rules: cookie before header,
 * `access_token` only for OAuth sessions, a CSRF check when the token came from the cookie, and,
 * where MFA is enforced, the MFA set-up before any route that needs a session (auth/mfa-enforcement.ts).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('auth');

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly config: ConfigService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    // Socket actions: the socket was authenticated when it connected (websocket.server.ts).
    if (ctx.getType() !== 'http') return true;
    const isPublic = routeMetadata<boolean>(this.reflector, PUBLIC_ROUTE, ctx);
    const req = ctx.switchToHttp().getRequest<ApiRequest>();
    // Local mode (local-mode/): the connection, not the request, decides; no token is read.
    if (isLocalConnection(req)) return this.local(req);
    const { token, location } = findToken(req);
    if (!token) {
      if (isPublic) return true;
      throw sessionExpired('no token');
    }
    let session, account;
    try {
      ({ session, account } = await this.sessions.authenticateWithAccount(token));
    } catch (err) {
      if (isPublic) return true; // a stale cookie must not block login or sign-up
      throw err;
    }
    if (location === 'query' && !session.is_oauth) {
      throw sessionExpired('access_token query parameter is only accepted for OAuth sessions');
    }
    const trustRequester = routeMetadata<boolean>(this.reflector, TRUST_REQUESTER, ctx);
    if (location === 'cookie' && req.method !== 'GET' && !trustRequester) this.checkCsrf(req, session.props[SESSION_PROP_CSRF]);
    req.session = session;
    if (!isPublic && mfaSetupRequired(this.config.get(), session, account, req.path)) {
      const setup = routeMetadata<boolean>(this.reflector, MFA_SETUP_ROUTE, ctx);
      if (!setup) throw mfaRequired();
    }
    return true;
  }

  /** web/handlers.go's IsLocal branch: the local router's routes only, while EnableLocalMode is on. */
  private local(req: ApiRequest): boolean {
    if (!this.config.get().ServiceSettings.EnableLocalMode) throw localModeDisabled();
    if (!isLocalRoute(req.method, (req.route as { path?: string } | undefined)?.path)) throw localRouteNotFound();
    req.session = localSession();
    return true;
  }

  private checkCsrf(req: ApiRequest, expected: string | undefined) {
    const sent = header(req, CSRF_HEADER);
    if (sent && expected && sent === expected) return;
    if (!sent && header(req, 'x-requested-with') === 'XMLHttpRequest' && !this.config.get().ServiceSettings.ExperimentalStrictCSRFEnforcement) {
      this.logger.warn(`CSRF header missing on ${req.method} ${req.path}; accepted by the legacy X-Requested-With rule`);
      return;
    }
    throw sessionExpired('Appears to be a CSRF attempt');
  }
}
