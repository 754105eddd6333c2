import { Module } from '@nestjs/common';
import { BotAccess } from './bot-access.js';
import { BotsRepository } from './bots.repository.js';

/**
 * The bots table and the rule of who manages a bot, for the users area (personal access tokens of
 * bots) and the bots area. It imports no area module, so the users area can use it without a cycle.
 */
@Module({
  providers: [BotsRepository, BotAccess],
  exports: [BotsRepository, BotAccess],
})
export class BotsCoreModule {}
