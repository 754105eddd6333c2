import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { ConfigController } from './config.controller.js';
import { EmailTestController } from './email-test.controller.js';
import { EmailTestService } from './email-test.service.js';
import { S3TestController } from './s3-test.controller.js';
import { S3TestService } from './s3-test.service.js';
import { SystemController } from './system.controller.js';
import { SystemService } from './system.service.js';
import { SystemsRepository } from './systems.repository.js';

@Module({
  imports: [UsersModule],
  controllers: [SystemController, ConfigController, S3TestController, EmailTestController],
  providers: [SystemService, SystemsRepository, S3TestService, EmailTestService],
  exports: [SystemService],
})
export class SystemModule {}
