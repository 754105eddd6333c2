import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module.js';
import { PostsModule } from '../posts/posts.module.js';
import { UsersModule } from '../users/users.module.js';
import { BotIconsService } from './bot-icons.service.js';
import { BotsController } from './bots.controller.js';
import { BotsCoreModule } from './bots-core.module.js';
import { BotsService } from './bots.service.js';

/**
 * The bots area: /api/v4/bots. A bot is a user (the users area) with a bots row (BotsCoreModule);
 * a new bot greets its owner in a direct message (channels, posts).
 */
@Module({
  imports: [BotsCoreModule, UsersModule, ChannelsModule, PostsModule],
  controllers: [BotsController],
  providers: [BotsService, BotIconsService],
})
export class BotsModule {}
