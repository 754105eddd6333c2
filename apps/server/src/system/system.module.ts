import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { ConfigController } from './config.controller.js';
import { SystemController } from './system.controller.js';
import { SystemService } from './system.service.js';
import { SystemsRepository } from './systems.repository.js';

@Module({
  imports: [UsersModule],
  controllers: [SystemController, ConfigController],
  providers: [SystemService, SystemsRepository],
  exports: [SystemService],
})
export class SystemModule {}
