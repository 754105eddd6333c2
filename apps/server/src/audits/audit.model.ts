import type { ApiRequest } from '../common/request.js';

/** A row of the audits table, as Mattermost's model.Audit (the JSON the API answers). */
export interface Audit {
  id: string;
  create_at: number;
  user_id: string;
  action: string;
  extra_info: string;
  ip_address: string;
  session_id: string;
}

/** The column limits: longer values are cut rather than refused (an audit is never lost to its size). */
export const AUDIT_LIMITS = { action: 512, extra_info: 1024, ip_address: 64 } as const;

/** An audit entry cut to fit its columns. */
export function fitted(audit: Audit): Audit {
  return {
    ...audit,
    action: audit.action.slice(0, AUDIT_LIMITS.action),
    extra_info: audit.extra_info.slice(0, AUDIT_LIMITS.extra_info),
    ip_address: audit.ip_address.slice(0, AUDIT_LIMITS.ip_address),
  };
}

/** The metadata key of a route marked @Audited (audited.ts), read by AuditInterceptor. */
export const AUDITED = 'route:audited';

/** What a route records as extra_info: fixed, or read from its answer and request. */
export type AuditDetail = string | ((result: unknown, req: ApiRequest) => string);
