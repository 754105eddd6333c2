import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module.js';
import { StatusController } from './status.controller.js';
import { StatusRepository } from './status.repository.js';
import { StatusService } from './status.service.js';
import { TypingController } from './typing.controller.js';
import { TypingService } from './typing.service.js';

/**
 * Presence and typing. StatusService registers itself with the WebSocket hub as its presence
 * listener; the WebSocket actions (get_statuses, get_statuses_by_ids, user_update_active_status,
 * user_typing) use the exported services.
 */
@Module({
  imports: [UsersModule],
  controllers: [StatusController, TypingController],
  providers: [StatusRepository, StatusService, TypingService],
  exports: [StatusService, TypingService],
})
export class StatusModule {}
