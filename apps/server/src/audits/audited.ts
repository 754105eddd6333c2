import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import type { ApiRequest } from '../common/request.js';
import { AuditInterceptor } from './audit.interceptor.js';
import { AUDITED, type AuditDetail } from './audit.model.js';

/**
 * The route's success goes into the audits table (Mattermost's c.LogAudit): the caller, their
 * session and address, the request's path as the action, and `detail` ("success" when none).
 * AuditInterceptor writes it before the answer leaves, so it is there once the caller has the answer.
 * The interceptor is bound to the marked routes only: on a route, any interceptor runs Nest's
 * Observable chain around the handler, a large part of a cheap route's CPU (ApiMetricsGuard's note).
 */
export const Audited = (detail: AuditDetail = 'success') => applyDecorators(SetMetadata(AUDITED, detail), UseInterceptors(AuditInterceptor));

/** Whose account a /users/{user_id}/… route changed ("user_id=…", `me` resolved), for its audit detail. */
export const auditTarget = (req: ApiRequest): string =>
  `user_id=${req.params.user_id === 'me' ? (req.session?.user_id ?? '') : String(req.params.user_id ?? '')}`;

/**
 * A team or channel member's roles set (…/members/{user_id}/roles or /schemeRoles), recorded as
 * Mattermost's audit event names them (updateTeamMemberRoles, updateChannelMemberSchemeRoles, …)
 * with the team or channel, the member and what they were given.
 */
export const memberRolesDetail =
  (event: string, scope: 'team_id' | 'channel_id'): AuditDetail =>
  (_result, req) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const given =
      'roles' in body
        ? `roles=${String(body.roles)}`
        : ['scheme_admin', 'scheme_user', 'scheme_guest']
            .filter((k) => k in body)
            .map((k) => `${k}=${String(body[k])}`)
            .join(' ');
    return `${event} ${scope}=${String(req.params[scope] ?? '')} ${auditTarget(req)} ${given}`;
  };
