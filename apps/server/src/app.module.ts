import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, DiscoveryModule } from '@nestjs/core';
import { AuditsModule } from './audits/audits.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BotsModule } from './bots/bots.module.js';
import { CategoriesModule } from './categories/categories.module.js';
import { ChannelsModule } from './channels/channels.module.js';
import { ClusterModule } from './cluster/cluster.module.js';
import { ActionsModule } from './actions/actions.module.js';
import { CommandsModule } from './commands/commands.module.js';
import { EphemeralModule } from './commands/ephemeral/ephemeral.module.js';
import { AppErrorFilter } from './common/app-error.filter.js';
import { CoreModule, CoreParts } from './core/core.module.js';
import { DraftsModule } from './drafts/drafts.module.js';
import { EmailCoreModule } from './email/email-core.module.js';
import { EmojiModule } from './emoji/emoji.module.js';
import { FilesModule } from './files/files.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { MfaModule } from './mfa/mfa.module.js';
import { OAuthLoginModule } from './oauth-login/oauth-login.module.js';
import { OAuthProviderModule } from './oauth-provider/oauth-provider.module.js';
import { LdapModule } from './ldap/ldap.module.js';
import { LogsModule } from './logs/logs.module.js';
import { PostsModule } from './posts/posts.module.js';
import { PreferencesModule } from './preferences/preferences.module.js';
import { PreviewsModule } from './previews/previews.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PushModule } from './push/push.module.js';
import { ReactionsModule } from './reactions/reactions.module.js';
import { ReplicasModule } from './replicas/replicas.module.js';
import { ScheduledPostsModule } from './scheduled-posts/scheduled-posts.module.js';
import { RolesModule } from './roles/roles.module.js';
import { SamlModule } from './saml/saml.module.js';
import { StatusModule } from './status/status.module.js';
import { SignInSwitchModule } from './sign-in-switch/sign-in-switch.module.js';
import { SsoModule } from './sso/sso.module.js';
import { SystemModule } from './system/system.module.js';
import { TeamsModule } from './teams/teams.module.js';
import { ThreadsModule } from './threads/threads.module.js';
import { UploadsModule } from './uploads/uploads.module.js';
import { UsersModule } from './users/users.module.js';
import { WebModule } from './web/web.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WebSocketModule } from './websocket/websocket.module.js';

/** One module per API area; the core parts (config, database, hub, publisher) are built in main.ts. */
@Module({})
export class AppModule {
  static register(parts: CoreParts): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.register(parts),
        DiscoveryModule,
        EmailCoreModule,
        AuthModule,
        AuditsModule,
        LogsModule,
        UsersModule,
        TeamsModule,
        ChannelsModule,
        PostsModule,
        ThreadsModule,
        ReactionsModule,
        PreferencesModule,
        StatusModule,
        SystemModule,
        PushModule,
        NotificationsModule,
        MetricsModule,
        ReplicasModule.register(parts),
        WebSocketModule,
        ClusterModule,
        JobsModule,
        PreviewsModule,
        CategoriesModule,
        DraftsModule,
        ScheduledPostsModule,
        RolesModule,
        EphemeralModule,
        CommandsModule,
        ActionsModule,
        SsoModule,
        OAuthLoginModule,
        LdapModule,
        SamlModule,
        MfaModule,
        SignInSwitchModule,
        EmojiModule,
        FilesModule,
        UploadsModule,
        ImportsModule,
        BotsModule,
        OAuthProviderModule,
        WebhooksModule,
        WebModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AppErrorFilter }],
    };
  }
}
