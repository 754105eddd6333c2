import { Module } from '@nestjs/common';
import { LogsController } from './logs.controller.js';
import { LogsService } from './logs.service.js';

/** The log file over the API (GET /logs) and clients' log messages (POST /logs); the logger itself is server-logger.ts. */
@Module({
  controllers: [LogsController],
  providers: [LogsService],
})
export class LogsModule {}
