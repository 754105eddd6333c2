import { Module } from '@nestjs/common';
import { SsoModule } from '../sso/sso.module.js';
import { UsersModule } from '../users/users.module.js';
import { LdapDirectory } from './ldap-directory.js';
import { LdapSync } from './ldap-sync.js';
import { LdapService } from './ldap.service.js';

/**
 * The directory itself: connections, sign-in checks and the sync. Apart from LdapModule because
 * the jobs area runs the sync (JobsModule imports this) while LdapModule's routes queue jobs.
 */
@Module({
  imports: [SsoModule, UsersModule],
  providers: [LdapDirectory, LdapService, LdapSync],
  exports: [LdapService, LdapSync],
})
export class LdapCoreModule {}
