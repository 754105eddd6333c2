import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppError, badRequest, notFound, nowMillis, permissionDenied } from '#common';
import { EventPublisher, InvalidationBus, newEvent, WsEvents } from '#realtime';
import type { Session } from '../common/session.js';
import { isKnownPermission } from './permissions.js';
import {
  GUEST_ROLES,
  MANAGE_SYSTEM_PROTECTED_ROLES,
  NOT_ALLOWED_PERMISSIONS,
  PERMISSION_SCHEME_ROLES,
  permissionList,
  RoleRow,
  roleView,
  RoleView,
  SYSTEM_ADMIN_ROLE,
} from './role.model.js';
import { RolesRepository } from './roles.repository.js';

interface Snapshot {
  byName: ReadonlyMap<string, RoleRow>;
  byId: ReadonlyMap<string, RoleRow>;
  permissions: ReadonlyMap<string, ReadonlySet<string>>;
}

const EMPTY: Snapshot = { byName: new Map(), byId: new Map(), permissions: new Map() };

function snapshotOf(rows: RoleRow[]): Snapshot {
  return {
    byName: new Map(rows.map((r) => [r.name, r])),
    byId: new Map(rows.map((r) => [r.id, r])),
    permissions: new Map(rows.map((r) => [r.name, new Set(permissionList(r))])),
  };
}

const notImplemented = (id: string, message: string, detail = '') => new AppError('', id, message, 501, detail);

/**
 * The roles table, held in memory as Mattermost's role cache does: every permission check reads the
 * snapshot synchronously. Any node's patch emits the `roles` invalidation, and every node (this one
 * included) reloads the table; a node that lost touch with the cluster reloads on `all`.
 * The route checks here are system permissions of the caller's own roles, read from the same snapshot
 * (PermissionsService reads through this service, so it cannot be used from here).
 */
@Injectable()
export class RolesService implements OnModuleInit {
  private snapshot: Snapshot = EMPTY;
  /** Reloads run one after another, so the last invalidation always ends in the newest table. */
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: RolesRepository,
    private readonly invalidation: InvalidationBus,
    private readonly publisher: EventPublisher,
  ) {
    invalidation.on('roles', () => void this.reload());
    invalidation.on('all', () => void this.reload());
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
  }

  reload(): Promise<void> {
    this.loading = this.loading.then(
      async () => this.use(await this.repo.all()),
      () => undefined,
    );
    return this.loading;
  }

  /** Serves these rows from now on (what a reload does once it has read the table). */
  use(rows: RoleRow[]): void {
    this.snapshot = snapshotOf(rows);
  }

  /** model.RolesGrantPermission: does any of the space-separated roles hold the permission? Unknown names grant nothing. */
  grants(roles: string, permission: string): boolean {
    for (const name of roles.split(' ')) {
      if (name && this.snapshot.permissions.get(name)?.has(permission)) return true;
    }
    return false;
  }

  role(name: string): RoleRow | undefined {
    return this.snapshot.byName.get(name);
  }

  /** GET /roles: manage_system (api4/role.go getAllRoles). */
  all(session: Session): RoleView[] {
    this.requireSystem(session, 'manage_system');
    return [...this.snapshot.byName.values()].map(roleView);
  }

  byId(id: string): RoleView {
    const row = this.snapshot.byId.get(id);
    if (!row) throw notFound('app.role.get.app_error', 'Unable to get role.');
    return roleView(row);
  }

  byName(name: string): RoleView {
    const row = this.snapshot.byName.get(name);
    if (!row) throw notFound('app.role.get_by_name.app_error', 'Unable to get role.', `name=${name}`);
    return roleView(row);
  }

  /** POST /roles/names: names that match no role are left out. */
  byNames(names: string[]): RoleView[] {
    const seen = new Set<string>();
    const out: RoleView[] = [];
    for (const name of names) {
      const row = this.snapshot.byName.get(name);
      if (row && !seen.has(name)) {
        seen.add(name);
        out.push(roleView(row));
      }
    }
    return out;
  }

  /**
   * PUT /roles/{id}/patch, in api4/role.go patchRole's order: the role, the permission its kind
   * needs, guest roles (only on licensed servers, and this one has no license), the permissions
   * no one may add or remove, the scheme/system split, then the save (App.PatchRole/UpdateRole).
   */
  async patch(session: Session, id: string, permissions: string[] | undefined): Promise<RoleView> {
    const old = this.snapshot.byId.get(id);
    if (!old) throw notFound('app.role.get.app_error', 'Unable to get role.');
    this.requireSystem(session, MANAGE_SYSTEM_PROTECTED_ROLES.has(old.name) ? 'manage_system' : 'sysconsole_write_user_management_permissions');
    const next = permissions && this.checkedPermissions(old, permissions);
    this.requireSystem(
      session,
      PERMISSION_SCHEME_ROLES.has(old.name) ? 'sysconsole_write_user_management_permissions' : 'sysconsole_write_user_management_system_roles',
    );
    if (!next || next.join(' ') === old.permissions) return roleView(old);
    if (!next.every(isKnownPermission)) throw badRequest('app.role.save.invalid_role.app_error', 'The role was not valid.');
    const saved = await this.repo.setPermissions(old.id, next.join(' '), nowMillis());
    if (!saved) throw notFound('app.role.get.app_error', 'Unable to get role.');
    await this.applied();
    const view = roleView(saved);
    this.publisher.publish(newEvent(WsEvents.RoleUpdated, {}, { role: JSON.stringify(view) }));
    return view;
  }

  /** The patch's list without duplicates, after the checks api4 makes on it before the second permission check. */
  private checkedPermissions(old: RoleRow, permissions: string[]): string[] {
    if (GUEST_ROLES.has(old.name)) throw notImplemented('api.roles.patch_roles.license.error', 'Your license does not support advanced permissions.');
    const next = [...new Set(permissions)];
    this.refuseProtectedChanges(old, next);
    return next;
  }

  /**
   * Mattermost refuses to add or remove manage_roles and the system-roles console permissions on any
   * role. This server also keeps manage_system on system_admin: without it no one could patch the
   * role back (patching system_admin needs manage_system), which Mattermost leaves possible.
   */
  private refuseProtectedChanges(old: RoleRow, next: string[]): void {
    const before = new Set(permissionList(old));
    const after = new Set(next);
    const changed = [...before].filter((p) => !after.has(p)).concat(next.filter((p) => !before.has(p)));
    const refused = changed.find((p) => NOT_ALLOWED_PERMISSIONS.has(p) || (old.name === SYSTEM_ADMIN_ROLE && p === 'manage_system'));
    if (refused)
      throw notImplemented(
        'api.roles.patch_roles.not_allowed_permission.error',
        'Cannot add or remove this permission.',
        `Cannot add or remove permission: ${refused}`,
      );
  }

  /** This node serves the new table before answering; the other nodes reload on the invalidation. */
  private async applied(): Promise<void> {
    await this.reload();
    this.invalidation.emit('roles', '*');
  }

  private requireSystem(session: Session, permission: string): void {
    if (!this.grants(session.roles, permission)) throw permissionDenied(permission);
  }
}
