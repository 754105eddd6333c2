import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { ExternalAccountsService } from './external-accounts.service.js';
import { SsoFlowsRepository } from './sso-flows.repository.js';
import { WebSignIn } from './web-sign-in.js';

/**
 * What every sign-in method shares (README, "Sign-in"): accounts owned by an identity provider,
 * sign-in state kept in the database for any node to finish, and the browser ends of a sign-in.
 * The methods (saml, oauth, ldap, mfa) import this module; it imports none of them.
 */
@Module({
  imports: [UsersModule],
  providers: [ExternalAccountsService, SsoFlowsRepository, WebSignIn],
  exports: [ExternalAccountsService, SsoFlowsRepository, WebSignIn],
})
export class SsoModule {}
