import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { MembershipModule } from '../membership/membership.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { PreferencesModule } from '../preferences/preferences.module.js';
import { StatusModule } from '../status/status.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { UsersModule } from '../users/users.module.js';
import { IntegrationKeysModule } from '../actions/integration-keys.module.js';
import { AppCommandEnv } from './command-env.js';
import { CommandHooksController } from './command-hooks.controller.js';
import { CommandWebhooksRepository } from './command-webhooks.repository.js';
import { CommandsController } from './commands.controller.js';
import { CommandsRepository } from './commands.repository.js';
import { CommandsService } from './commands.service.js';
import { CustomCommandsService } from './custom-commands.service.js';
import { EphemeralModule } from './ephemeral/ephemeral.module.js';

/**
 * Slash commands. The built-ins act through the other areas' services (channels, members, posts,
 * statuses, preferences, users), so nothing imports this module; ephemeral posts are their own
 * module, which any area may import.
 */
@Module({
  imports: [ChannelsModule, MembershipModule, PostsModule, PreferencesModule, StatusModule, TeamsModule, UsersModule, EphemeralModule, IntegrationKeysModule],
  controllers: [CommandsController, CommandHooksController],
  providers: [CommandsRepository, CommandWebhooksRepository, CommandsService, CustomCommandsService, AppCommandEnv],
})
export class CommandsModule {}
