import { Module } from '@nestjs/common';
import { EphemeralController } from './ephemeral.controller.js';
import { EphemeralService } from './ephemeral.service.js';

/**
 * Ephemeral posts. It needs only the global parts (permissions, the event publisher), so any area
 * may import it to tell one user something without an import cycle.
 */
@Module({
  controllers: [EphemeralController],
  providers: [EphemeralService],
  exports: [EphemeralService],
})
export class EphemeralModule {}
