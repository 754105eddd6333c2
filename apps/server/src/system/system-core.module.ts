import { Module } from '@nestjs/common';
import { ServerIdentity } from './server-identity.js';
import { SystemsRepository } from './systems.repository.js';

/**
 * The installation's identity (DiagnosticId, signing key) alone, for the areas that sign or name
 * what they send (push notifications) and for the system area, which serves the client config;
 * it imports nothing, so any module may use it without a cycle.
 */
@Module({
  providers: [
    SystemsRepository,
    { provide: ServerIdentity, useFactory: (systems: SystemsRepository) => new ServerIdentity(systems), inject: [SystemsRepository] },
  ],
  exports: [ServerIdentity],
})
export class SystemCoreModule {}
