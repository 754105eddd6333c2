import { Module } from '@nestjs/common';
import { SsoModule } from '../sso/sso.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConfigFilesRepository } from './config-files.repository.js';
import { SamlAdminService } from './saml-admin.service.js';
import { SamlWebController } from './saml-web.controller.js';
import { SamlController } from './saml.controller.js';
import { SamlService } from './saml.service.js';

/**
 * SAML 2.0 sign-in (README, "Sign-in"): the browser routes /login/sso/saml and the System
 * Console's /api/v4/saml routes. Builds on the sso area's accounts, flows and web sign-in.
 */
@Module({
  imports: [SsoModule, UsersModule],
  controllers: [SamlController, SamlWebController],
  providers: [SamlService, SamlAdminService, ConfigFilesRepository],
})
export class SamlModule {}
