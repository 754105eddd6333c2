import { Global, Module } from '@nestjs/common';
import { AuditsController } from './audits.controller.js';
import { AuditsRepository } from './audits.repository.js';
import { AuditsService } from './audits.service.js';

/**
 * Audit records: the table and its two routes. A route marked @Audited (audited.ts) gets the
 * interceptor that writes its record, made in its own area's module; global, so that the areas
 * mark their routes without importing this module.
 */
@Global()
@Module({
  controllers: [AuditsController],
  providers: [AuditsRepository, AuditsService],
  exports: [AuditsService],
})
export class AuditsModule {}
