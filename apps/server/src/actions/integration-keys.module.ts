import { Module } from '@nestjs/common';
import { SystemsRepository } from '../system/systems.repository.js';
import { IntegrationKeys } from './integration-keys.service.js';

/** The interactive messages' secrets; imports nothing, so commands, ephemeral posts and actions may all use it. */
@Module({
  providers: [
    SystemsRepository,
    { provide: IntegrationKeys, useFactory: (systems: SystemsRepository) => new IntegrationKeys(systems), inject: [SystemsRepository] },
  ],
  exports: [IntegrationKeys],
})
export class IntegrationKeysModule {}
