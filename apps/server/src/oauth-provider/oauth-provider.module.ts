import { Module } from '@nestjs/common';
import { PreferencesCoreModule } from '../preferences/preferences-core.module.js';
import { UsersModule } from '../users/users.module.js';
import { WebModule } from '../web/web.module.js';
import { OAuthAppsController } from './oauth-apps.controller.js';
import { OAuthAppsRepository } from './oauth-apps.repository.js';
import { OAuthAppsService } from './oauth-apps.service.js';
import { OAuthAccessRepository, OAuthCodesRepository } from './oauth-grants.repository.js';
import { OAuthGrantsService } from './oauth-grants.service.js';
import { OAuthProviderController } from './oauth-provider.controller.js';

/**
 * The OAuth 2.0 service provider (ServiceSettings.EnableOAuthServiceProvider): apps under
 * /api/v4/oauth/apps, and the authorization server's own routes at the site's root. Consents are
 * preferences (PreferencesCoreModule); the consent page is the web app's (WebModule).
 */
@Module({
  imports: [UsersModule, PreferencesCoreModule, WebModule],
  controllers: [OAuthAppsController, OAuthProviderController],
  providers: [OAuthAppsRepository, OAuthCodesRepository, OAuthAccessRepository, OAuthAppsService, OAuthGrantsService],
})
export class OAuthProviderModule {}
