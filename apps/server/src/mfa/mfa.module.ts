import { Global, Module } from '@nestjs/common';
import { SsoModule } from '../sso/sso.module.js';
import { SecondFactor } from '../users/second-factor.js';
import { UsersModule } from '../users/users.module.js';
import { MfaController } from './mfa.controller.js';
import { MfaService } from './mfa.service.js';

/**
 * MFA (README, Sign-in). Global for one provider: the users area's LoginService asks SecondFactor
 * for the code of a password sign-in, and cannot import this module, which builds on it.
 */
@Global()
@Module({
  imports: [UsersModule, SsoModule],
  controllers: [MfaController],
  providers: [MfaService, { provide: SecondFactor, useExisting: MfaService }],
  exports: [SecondFactor],
})
export class MfaModule {}
