import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module.js';
import { AccessTokensRepository } from './access-tokens.repository.js';
import { AccessTokensService } from './access-tokens.service.js';
import { UserDirectoryService } from './user-directory.service.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TeamsModule],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, UserDirectoryService, AccessTokensRepository, AccessTokensService],
  // AccessTokensRepository: the expired-token cleanup job deletes tokens in batches.
  exports: [UsersService, UsersRepository, AccessTokensRepository],
})
export class UsersModule {}
