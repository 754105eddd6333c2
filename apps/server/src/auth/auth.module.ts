import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { MembershipModule } from '../membership/membership.module.js';
import { RolesModule } from '../roles/roles.module.js';
import { AuthGuard } from './auth.guard.js';
import { PermissionsService } from './permissions.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { SystemPermissionGuard } from './system-permission.guard.js';

@Global()
@Module({
  // Permission checks read the team and channel members' roles, and the roles' permissions.
  imports: [MembershipModule, RolesModule],
  providers: [
    SessionsRepository,
    SessionsService,
    PermissionsService,
    // Global guards run in the order they are provided: the session first, then route permissions.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: SystemPermissionGuard },
  ],
  // The repository too: the session cleanup jobs delete and mark sessions in batches.
  exports: [SessionsService, PermissionsService, SessionsRepository, RolesModule],
})
export class AuthModule {}
