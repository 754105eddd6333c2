import type { Socket } from 'node:net';
import { AppError } from '#common';
import { type Session, sessionFor } from '../common/session.js';

/**
 * Mattermost's local mode (api4's `InitLocal`, web/handlers.go's `IsLocal`): requests that arrive
 * on the Unix socket `ServiceSettings.LocalModeSocketLocation` act as a "local" administrator with
 * no session, on the routes Mattermost registers for the local router (api4/*_local.go). Whoever
 * can open the socket (its file is mode 0600: the server's OS user) is trusted, as mmctl --local is.
 *
 * What makes a request local is the connection it came on, never anything the request says: the
 * socket server adds each accepted connection to this set, and the TCP listener never can.
 */
const localConnections = new WeakSet<Socket>();

export function markLocalConnection(socket: Socket): void {
  localConnections.add(socket);
}

/** True only for a request read from a connection the local socket accepted. */
export function isLocalConnection(req: { socket?: Socket | null }): boolean {
  return !!req.socket && localConnections.has(req.socket);
}

const LOCAL_PROP = 'local';

/**
 * The caller of a local request: Mattermost's `&model.Session{Local: true}`, for which
 * SessionHasPermissionTo is always true (Session.IsUnrestricted). Here the same effect comes from
 * the system admin role, so every permission check (system, team, channel) passes; no user id.
 */
export function localSession(): Session {
  const session = sessionFor({ id: '', roles: 'system_user system_admin' });
  session.id = 'local';
  session.props = { [LOCAL_PROP]: 'true' };
  return session;
}

/** The request came over the local socket: no user acts, so nothing is created "as" the caller. */
export function isLocalSession(session: Pick<Session, 'props'> | undefined): boolean {
  return session?.props?.[LOCAL_PROP] === 'true';
}

/**
 * The routes of Mattermost's local router that this server has (api4/user_local.go, team_local.go,
 * channel_local.go, config_local.go, system_local.go, job_local.go, upload_local.go, import_local.go,
 * export_local.go, role_local.go), as Express route paths under /api/v4. Anything else asked over
 * the socket is a 404, as on Mattermost's local router.
 *
 * Deliberate addition: `GET /cluster/status` (Mattermost has no cluster route on the local router;
 * our `mmctl cluster status` reads it, and it only reports what the System Console shows).
 */
const LOCAL_ROUTES: ReadonlyArray<[string, string]> = [
  // config_local.go
  ['GET', '/config'],
  ['PUT', '/config'],
  ['PUT', '/config/patch'],
  ['POST', '/config/reload'],
  ['GET', '/config/client'],
  // user_local.go
  ['GET', '/users'],
  ['POST', '/users'],
  ['POST', '/users/password/reset/send'],
  ['POST', '/users/ids'],
  ['GET', '/users/:user_id'],
  ['PUT', '/users/:user_id'],
  ['DELETE', '/users/:user_id'],
  ['PUT', '/users/:user_id/roles'],
  ['PUT', '/users/:user_id/mfa'],
  ['PUT', '/users/:user_id/active'],
  ['PUT', '/users/:user_id/password'],
  ['POST', '/users/:user_id/convert_to_bot'],
  ['POST', '/users/:user_id/email/verify/member'],
  ['POST', '/users/:user_id/promote'],
  ['POST', '/users/:user_id/demote'],
  ['GET', '/users/username/:username'],
  ['GET', '/users/email/:email'],
  ['POST', '/users/tokens/revoke'],
  ['GET', '/users/:user_id/tokens'],
  ['POST', '/users/:user_id/tokens'],
  ['GET', '/users/:user_id/uploads'],
  // team_local.go
  ['POST', '/teams'],
  ['GET', '/teams'],
  ['POST', '/teams/search'],
  ['GET', '/teams/:team_id'],
  ['PUT', '/teams/:team_id'],
  ['DELETE', '/teams/:team_id'],
  ['POST', '/teams/:team_id/invite/email'],
  ['PUT', '/teams/:team_id/patch'],
  ['PUT', '/teams/:team_id/privacy'],
  ['POST', '/teams/:team_id/restore'],
  ['GET', '/teams/name/:team_name'],
  ['POST', '/teams/:team_id/members'],
  ['DELETE', '/teams/:team_id/members/:user_id'],
  // channel_local.go
  ['GET', '/channels'],
  ['POST', '/channels'],
  ['GET', '/channels/:channel_id'],
  ['DELETE', '/channels/:channel_id'],
  ['PUT', '/channels/:channel_id/patch'],
  ['POST', '/channels/:channel_id/move'],
  ['PUT', '/channels/:channel_id/privacy'],
  ['POST', '/channels/:channel_id/restore'],
  ['DELETE', '/channels/:channel_id/members/:user_id'],
  ['GET', '/channels/:channel_id/members/:user_id'],
  ['POST', '/channels/:channel_id/members'],
  ['GET', '/channels/:channel_id/members'],
  ['GET', '/teams/:team_id/channels'],
  ['GET', '/teams/:team_id/channels/deleted'],
  ['GET', '/teams/:team_id/channels/private'],
  ['GET', '/teams/:team_id/channels/name/:channel_name'],
  ['GET', '/teams/name/:team_name/channels/name/:channel_name'],
  // system_local.go
  ['GET', '/system/ping'],
  ['GET', '/logs'],
  // role_local.go
  ['GET', '/roles'],
  ['GET', '/roles/:role_id'],
  ['GET', '/roles/name/:role_name'],
  ['POST', '/roles/names'],
  ['PUT', '/roles/:role_id/patch'],
  // job_local.go
  ['GET', '/jobs'],
  ['POST', '/jobs'],
  ['GET', '/jobs/:job_id'],
  ['POST', '/jobs/:job_id/cancel'],
  ['GET', '/jobs/type/:job_type'],
  // upload_local.go, import_local.go, export_local.go
  ['POST', '/uploads'],
  ['GET', '/uploads/:upload_id'],
  ['POST', '/uploads/:upload_id'],
  ['GET', '/imports'],
  ['GET', '/exports'],
  ['GET', '/exports/:export_name'],
  ['DELETE', '/exports/:export_name'],
  // ours (see above)
  ['GET', '/cluster/status'],
];

const API_PREFIX = '/api/v4';
const localRouteKeys = new Set(LOCAL_ROUTES.map(([method, path]) => `${method} ${API_PREFIX}${path}`));

/** Whether Mattermost's local router serves this route (`routePath`: Express's pattern, e.g. /api/v4/users/:user_id). */
export function isLocalRoute(method: string, routePath: string | undefined): boolean {
  return !!routePath && localRouteKeys.has(`${method.toUpperCase()} ${routePath}`);
}

/** The local router's answer to a route it does not have (api4's Handle404 on srv.LocalRouter). */
export function localRouteNotFound(): AppError {
  return new AppError('', 'api.context.404.app_error', 'Sorry, we could not find the page.', 404, 'not available in local mode');
}

/** A request still on the socket after EnableLocalMode was turned off (web/handlers.go answers the same id). */
export function localModeDisabled(): AppError {
  return new AppError('', 'api.context.local_origin_required.app_error', 'This endpoint requires a local request origin.', 401, 'local mode is off');
}
