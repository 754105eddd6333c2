import { Module } from '@nestjs/common';
import { PreferencesModule } from '../preferences/preferences.module.js';
import { UsersModule } from '../users/users.module.js';
import { CustomStatusService } from './custom-status.service.js';
import { StatusController } from './status.controller.js';
import { StatusGateway } from './status.gateway.js';
import { StatusRepository } from './status.repository.js';
import { StatusService } from './status.service.js';
import { TypingController } from './typing.controller.js';
import { TypingGateway } from './typing.gateway.js';
import { TypingService } from './typing.service.js';

/**
 * Presence, custom statuses and typing. StatusService registers itself with the WebSocket hub as its presence
 * listener; the gateways answer the socket actions get_statuses, get_statuses_by_ids,
 * user_update_active_status and user_typing.
 */
@Module({
  imports: [UsersModule, PreferencesModule],
  controllers: [StatusController, TypingController],
  providers: [StatusRepository, StatusService, TypingService, StatusGateway, TypingGateway, CustomStatusService],
  exports: [StatusService, TypingService, CustomStatusService],
})
export class StatusModule {}
