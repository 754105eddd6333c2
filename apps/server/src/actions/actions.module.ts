import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { EphemeralModule } from '../commands/ephemeral/ephemeral.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { TeamsModule } from '../teams/teams.module.js';
import { UsersModule } from '../users/users.module.js';
import { ActionsController } from './actions.controller.js';
import { DialogDepsProvider, DialogsService } from './dialogs.service.js';
import { IntegrationKeysModule } from './integration-keys.module.js';
import { PostActionDepsProvider, PostActionsService } from './post-actions.service.js';

/** Interactive messages and dialogs (Mattermost's integration actions); nothing imports it. */
@Module({
  imports: [PostsModule, ChannelsModule, TeamsModule, UsersModule, EphemeralModule, IntegrationKeysModule],
  controllers: [ActionsController],
  providers: [PostActionDepsProvider, PostActionsService, DialogDepsProvider, DialogsService],
})
export class ActionsModule {}
