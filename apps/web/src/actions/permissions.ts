/** The user's roles and what they grant, read when a control that depends on them shows (state/permissions.ts). */
import { client } from '../api/client';
import { missingRoles, receivedMyTeamMembers, receivedRoles, teamPermissionsKnown } from '../state/permissions';
import { currentUser } from '../state/selectors';
import { store, update } from '../state/store';

let loading: Promise<void> | undefined;

/**
 * Makes sure the user's roles on the team are known: their memberships (GET /users/me/teams/members,
 * again after `force`, e.g. a team just joined) and the roles not read yet (POST /roles/names).
 * One load at a time, however many components ask.
 */
export function loadTeamPermissions(teamId: string, force = false): Promise<void> {
  loading ??= (async () => {
    const me = currentUser(store.get());
    if (!me || (!force && teamPermissionsKnown(store.get().permissions, me.roles, teamId))) return;
    if (force || !(teamId in store.get().permissions.teamRoles)) {
      const members = await client.getMyTeamMembers();
      update('permissions', (s) => receivedMyTeamMembers(s, members));
    }
    const missing = missingRoles(store.get().permissions, me.roles);
    if (missing.length === 0) return;
    const roles = await client.getRolesByNames(missing);
    update('permissions', (s) => receivedRoles(s, roles, missing));
  })().finally(() => (loading = undefined));
  return loading;
}
