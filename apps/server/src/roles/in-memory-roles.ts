import { ROLE_SEEDS } from '#db';
import { EventPublisher, LocalInvalidationBus } from '#realtime';
import { RecordingPublisher } from '#testing';
import { RoleRow } from './role.model.js';
import { RolesRepository } from './roles.repository.js';
import { RolesService } from './roles.service.js';

/** The built-in roles as the roles migration seeds them, with made-up ids. */
export function defaultRoleRows(): RoleRow[] {
  return ROLE_SEEDS.map((s, i) => ({
    id: `role${String(i).padStart(22, '0')}`,
    name: s.name,
    display_name: `authentication.roles.${s.key}.name`,
    description: `authentication.roles.${s.key}.description`,
    create_at: 1,
    update_at: 1,
    delete_at: 0,
    permissions: s.permissions,
    scheme_managed: s.schemeManaged,
    built_in: s.builtIn,
  }));
}

/** The roles table in memory, shared by every "node" built over it in a spec. */
export class InMemoryRolesRepository {
  rows = defaultRoleRows();

  all(): Promise<RoleRow[]> {
    return Promise.resolve(this.rows.map((r) => ({ ...r })));
  }

  setPermissions(id: string, permissions: string, updateAt: number): Promise<RoleRow | undefined> {
    const row = this.rows.find((r) => r.id === id);
    if (row) Object.assign(row, { permissions, update_at: updateAt });
    return Promise.resolve(row && { ...row });
  }
}

/** A RolesService serving the default roles at once (specs build services synchronously). */
export function defaultRoles(
  repo = new InMemoryRolesRepository(),
  bus = new LocalInvalidationBus(),
  publisher: EventPublisher = new RecordingPublisher(),
): RolesService {
  const roles = new RolesService(repo as unknown as RolesRepository, bus, publisher);
  roles.use(repo.rows);
  return roles;
}
