import { Module } from '@nestjs/common';
import { ConfigController } from './config.controller.js';
import { SystemController } from './system.controller.js';
import { SystemService } from './system.service.js';

@Module({
  controllers: [SystemController, ConfigController],
  providers: [SystemService],
  exports: [SystemService],
})
export class SystemModule {}
