import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { sessionExpired } from '#common';
import { ApiRequest } from './request.js';
import { Session } from './session.js';

export const PUBLIC_ROUTE = 'route:public';
export const TRUST_REQUESTER = 'route:trust-requester';
export const MFA_SETUP_ROUTE = 'route:mfa-setup';

/** No session needed (Mattermost's APIHandler). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Session needed but no CSRF check (APISessionRequiredTrustRequester: images, downloads). */
export const TrustRequester = () => SetMetadata(TRUST_REQUESTER, true);

/**
 * Session needed, but not MFA under EnforceMultifactorAuthentication (APISessionRequiredMfa): the
 * routes a user calls to set MFA up.
 */
export const MfaSetupRoute = () => SetMetadata(MFA_SETUP_ROUTE, true);

/** The caller's session; the guard has already refused requests without one. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): Session => {
  const session = ctx.switchToHttp().getRequest<ApiRequest>().session;
  if (!session) throw sessionExpired();
  return session;
});

export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<ApiRequest>().requestId);
