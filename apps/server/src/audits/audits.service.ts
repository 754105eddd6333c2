import { Inject, Injectable, Logger } from '@nestjs/common';
import { newId } from '#common';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { fitted, type Audit } from './audit.model.js';
import { AuditsRepository } from './audits.repository.js';

/** Who did it, from where: what a route knows of its caller. */
export interface AuditCaller {
  user_id: string;
  session_id: string;
  ip_address: string;
}

/**
 * Audit records (app/audit.go): written after a change succeeded, never in the way of it — a
 * failed write is logged, the request still answers. Read by the user themselves or those who
 * may edit other users, and in full by system admins.
 */
@Injectable()
export class AuditsService {
  private readonly log = new Logger('Audits');

  constructor(
    @Inject(AuditsRepository) private readonly repo: Pick<AuditsRepository, 'insert' | 'page'>,
    private readonly permissions: PermissionsService,
  ) {}

  /** Records `action` (the request's path) with its detail; resolves once written, never rejects. */
  async record(caller: AuditCaller, action: string, extraInfo: string): Promise<void> {
    const audit: Audit = fitted({ id: newId(), create_at: Date.now(), ...caller, action, extra_info: extraInfo });
    await this.repo.insert(audit).catch((err: unknown) => this.log.error(`audit of ${action} for ${caller.user_id} not written: ${String(err)}`));
  }

  /** GET /users/{id}/audits: oneself, or anyone with edit_other_users (pages capped at 200 by the route's params). */
  async forUser(session: Session, userId: string, page: number, perPage: number): Promise<Audit[]> {
    this.permissions.requireSelfOrAdmin(session, userId);
    return this.repo.page(userId, page * perPage, perPage);
  }

  /** GET /audits (manage_system, checked by the route). */
  async all(page: number, perPage: number): Promise<Audit[]> {
    return this.repo.page('', page * perPage, perPage);
  }
}
