import { Module } from '@nestjs/common';
import { SsoModule } from '../sso/sso.module.js';
import { OAuthLoginController } from './oauth-login.controller.js';
import { OAuthLoginService } from './oauth-login.service.js';
import { ProviderConfigs } from './provider-configs.js';

/**
 * Signing in through GitLab, Google, Office 365 and OpenID Connect providers: this server as an
 * OAuth client (README, "Sign-in"). Not the OAuth 2.0 service provider (Mattermost's OAuth apps),
 * which would be an area of its own.
 */
@Module({
  imports: [SsoModule],
  controllers: [OAuthLoginController],
  providers: [OAuthLoginService, ProviderConfigs],
})
export class OAuthLoginModule {}
