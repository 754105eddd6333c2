import { Module } from '@nestjs/common';
import { IntegrationKeysModule } from '../../actions/integration-keys.module.js';
import { EphemeralController } from './ephemeral.controller.js';
import { EphemeralService } from './ephemeral.service.js';

/**
 * Ephemeral posts. It needs only the global parts (permissions, the event publisher) and the
 * integration keys (which seal action cookies), so any area may import it to tell one user
 * something without an import cycle.
 */
@Module({
  imports: [IntegrationKeysModule],
  controllers: [EphemeralController],
  providers: [EphemeralService],
  exports: [EphemeralService],
})
export class EphemeralModule {}
