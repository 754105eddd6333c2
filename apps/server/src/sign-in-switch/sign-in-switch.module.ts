import { Module } from '@nestjs/common';
import { SsoModule } from '../sso/sso.module.js';
import { UsersModule } from '../users/users.module.js';
import { SignInSwitchController } from './sign-in-switch.controller.js';
import { SignInSwitchService } from './sign-in-switch.service.js';

/**
 * Switching an account's sign-in method (README, Sign-in). The AD/LDAP switches use the LdapSwitch
 * the LDAP area provides, when it does.
 */
@Module({
  imports: [UsersModule, SsoModule],
  controllers: [SignInSwitchController],
  providers: [SignInSwitchService],
})
export class SignInSwitchModule {}
