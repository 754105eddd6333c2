import { Controller, Post } from '@nestjs/common';
import { CurrentSession } from '../common/decorators.js';
import type { Session } from '../common/session.js';
import { LdapAdminService } from './ldap-admin.service.js';

const OK = { status: 'OK' };

/**
 * api4/ldap.go: sync and test. Mattermost reads `{include_removed_members}` from the sync's body
 * and only logs a body it cannot read; group sync is not built, so the body is not read at all.
 */
@Controller('ldap')
export class LdapController {
  constructor(private readonly admin: LdapAdminService) {}

  @Post('sync')
  async sync(@CurrentSession() s: Session) {
    await this.admin.requestSync(s);
    return OK;
  }

  @Post('test')
  async test(@CurrentSession() s: Session) {
    await this.admin.test(s);
    return OK;
  }
}
