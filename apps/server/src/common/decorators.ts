import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
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

/** controller class → route handler → metadata key → value, as the routes' decorators set them. */
const routeValues = new WeakMap<object, WeakMap<object, Map<string, unknown>>>();

/**
 * A route's decorator value, the handler's over its controller's (Reflector.getAllAndOverride),
 * read once per route and kept: decorators are fixed at start-up, and the global guards ask on
 * every request. reflect-metadata's lookups behind those asks were 2.4 % of the server's CPU on the
 * cheapest routes (CPU profile of users.image, 2026-12-07); bench:requests could not tell the
 * change apart from its noise (2026-12-08).
 */
export function routeMetadata<T>(reflector: Reflector, key: string, ctx: ExecutionContext): T | undefined {
  const controller = ctx.getClass();
  const handler = ctx.getHandler();
  let byHandler = routeValues.get(controller);
  if (!byHandler) routeValues.set(controller, (byHandler = new WeakMap()));
  let values = byHandler.get(handler);
  if (!values) byHandler.set(handler, (values = new Map()));
  if (!values.has(key)) values.set(key, reflector.getAllAndOverride(key, [handler, controller]));
  return values.get(key) as T | undefined;
}

/** The caller's session; the guard has already refused requests without one. */
export const CurrentSession = createParamDecorator((_: unknown, ctx: ExecutionContext): Session => {
  const session = ctx.switchToHttp().getRequest<ApiRequest>().session;
  if (!session) throw sessionExpired();
  return session;
});

export const RequestId = createParamDecorator((_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<ApiRequest>().requestId);
