import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { CurrentSession } from '../common/decorators.js';
import { pagination, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { AuditsService } from './audits.service.js';

/** api4/user.go getUserAudits and api4/system.go getAudits. */
@Controller()
export class AuditsController {
  constructor(private readonly audits: AuditsService) {}

  @Get('users/:user_id/audits')
  async forUser(@Param('user_id') userId: string, @Query() q: Record<string, unknown>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    return this.audits.forUser(s, urlUserId(userId, s), page, perPage);
  }

  @Get('audits')
  @RequireSystemPermission('manage_system')
  async all(@Query() q: Record<string, unknown>) {
    const { page, perPage } = pagination(q);
    return this.audits.all(page, perPage);
  }
}
