import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { describe, expect, it } from 'vitest';
import type { Session } from '../common/session.js';
import { PermissionsService } from './permissions.service.js';
import { defaultRoles } from '../roles/in-memory-roles.js';
import { RequireSystemPermission, SystemPermissionGuard } from './system-permission.guard.js';

class Routes {
  @RequireSystemPermission('manage_jobs')
  guarded() {}

  open() {}
}

function session(roles: string): Session {
  return {
    id: 's',
    token: 't',
    create_at: 0,
    expires_at: 0,
    last_activity_at: 0,
    user_id: 'u',
    device_id: '',
    roles,
    is_oauth: false,
    expired_notify: false,
    props: {},
  };
}

/** The guard as Nest runs it: the route's handler and a request that AuthGuard may have given a session. */
function check(handler: keyof Routes, s?: Session): boolean {
  // System permissions come from the session's roles alone: no database is reached.
  const guard = new SystemPermissionGuard(new Reflector(), new PermissionsService(undefined as never, undefined as never, defaultRoles()));
  return guard.canActivate(new ExecutionContextHost([{ session: s }, {}, () => undefined], Routes, Routes.prototype[handler]));
}

describe('SystemPermissionGuard', () => {
  it('lets through a session whose roles grant the permission', () => {
    expect(check('guarded', session('system_user system_admin'))).toBe(true);
  });

  it("refuses others with Mattermost's 403", () => {
    expect(() => check('guarded', session('system_user'))).toThrow(
      expect.objectContaining({ statusCode: 403, id: 'api.context.permissions.app_error', detailedError: expect.stringContaining('manage_jobs') }),
    );
  });

  it('answers 401 when there is no session', () => {
    expect(() => check('guarded')).toThrow(expect.objectContaining({ statusCode: 401, id: 'api.context.session_expired.app_error' }));
  });

  it('leaves routes without the decorator alone, with or without a session', () => {
    expect(check('open')).toBe(true);
    expect(check('open', session('system_guest'))).toBe(true);
  });
});
