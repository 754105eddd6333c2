import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditInterceptor } from './audit.interceptor.js';
import { AuditsController } from './audits.controller.js';
import { AuditsRepository } from './audits.repository.js';
import { AuditsService } from './audits.service.js';

/**
 * Audit records: the table, its two routes, and the interceptor that writes a record for every
 * route marked @Audited (audited.ts), so that an area marks its routes without importing this module.
 */
@Module({
  controllers: [AuditsController],
  providers: [AuditsRepository, AuditsService, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  exports: [AuditsService],
})
export class AuditsModule {}
