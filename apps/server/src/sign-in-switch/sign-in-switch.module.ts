import { Module } from '@nestjs/common';
import { LdapCoreModule } from '../ldap/ldap-core.module.js';
import { SsoModule } from '../sso/sso.module.js';
import { UsersModule } from '../users/users.module.js';
import { SignInSwitchController } from './sign-in-switch.controller.js';
import { SignInSwitchService } from './sign-in-switch.service.js';

/** Switching an account's sign-in method (README, Sign-in). */
@Module({
  imports: [UsersModule, SsoModule, LdapCoreModule],
  controllers: [SignInSwitchController],
  providers: [SignInSwitchService],
})
export class SignInSwitchModule {}
