import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { permissionDenied, sessionExpired } from '#common';
import { routeMetadata } from '../common/decorators.js';
import { ApiRequest } from '../common/request.js';
import { PermissionsService } from './permissions.service.js';

const SYSTEM_PERMISSION = 'route:system-permission';

/**
 * The route needs this system-level permission whatever its parameters are (Mattermost's handlers
 * that start with `SessionHasPermissionTo(PermissionManageSystem)` and the like). Checks that
 * depend on the request's data (the team, the channel, "self or admin") stay in the services.
 */
export const RequireSystemPermission = (permission: string) => SetMetadata(SYSTEM_PERMISSION, permission);

/** Runs after AuthGuard (registered after it), so the session is already on the request. */
@Injectable()
export class SystemPermissionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly permissions: PermissionsService,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const permission = routeMetadata<string>(this.reflector, SYSTEM_PERMISSION, ctx);
    if (!permission) return true;
    const session = ctx.switchToHttp().getRequest<ApiRequest>().session;
    if (!session) throw sessionExpired();
    if (!this.permissions.hasSystem(session, permission)) throw permissionDenied(permission);
    return true;
  }
}
