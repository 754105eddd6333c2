import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { PermissionsService } from './permissions.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

@Global()
@Module({
  providers: [SessionsRepository, SessionsService, PermissionsService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [SessionsService, PermissionsService],
})
export class AuthModule {}
