import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { SsoModule } from '../sso/sso.module.js';
import { UsersModule } from '../users/users.module.js';
import { LdapAdminService } from './ldap-admin.service.js';
import { LdapCoreModule } from './ldap-core.module.js';
import { LdapLogin } from './ldap-login.js';
import { LdapController } from './ldap.controller.js';

/** LDAP / Active Directory (README, "Sign-in"): login through the directory, POST /ldap/sync and /ldap/test. */
@Module({
  imports: [LdapCoreModule, JobsModule, SsoModule, UsersModule],
  controllers: [LdapController],
  providers: [LdapLogin, LdapAdminService],
})
export class LdapModule {}
