import { Module } from '@nestjs/common';
import { PushModule } from '../push/push.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConfigController } from './config.controller.js';
import { EmailTestController } from './email-test.controller.js';
import { EmailTestService } from './email-test.service.js';
import { S3TestController } from './s3-test.controller.js';
import { S3TestService } from './s3-test.service.js';
import { SystemCoreModule } from './system-core.module.js';
import { SystemController } from './system.controller.js';
import { SystemService } from './system.service.js';

// SystemCoreModule: the DiagnosticId and signing key; PushModule: the ping's test push.
@Module({
  imports: [UsersModule, SystemCoreModule, PushModule],
  controllers: [SystemController, ConfigController, S3TestController, EmailTestController],
  providers: [SystemService, S3TestService, EmailTestService],
  exports: [SystemService],
})
export class SystemModule {}
