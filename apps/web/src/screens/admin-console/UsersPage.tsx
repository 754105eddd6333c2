import type { UserProfile } from '@mattermost/types/users';
import { useMemo } from 'react';
import { revokeSessions, searchConsoleUsers, setSystemAdmin, setUserActive } from '../../actions/console-directory';
import { hasSystemAdminRole, listed } from '../../state/console-directory';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { ActionMessages } from './ActionMessages';
import { SearchBox } from './SearchBox';
import { useAction } from './use-action';
import { ConsoleTable } from './ConsoleTable';

/** People: find them, deactivate or activate them, make them system admins or members, sign them out everywhere. */
export function UsersPage() {
  const directory = useAppState((s) => s.adminConsole.directory);
  const myId = useAppState((s) => currentUserId(s.session));
  const users = useMemo(() => listed(directory.userResults, directory.users), [directory.userResults, directory.users]);
  const action = useAction();

  return (
    <>
      <p className="console-intro">Deactivated people cannot sign in and their sessions end; system admins may open this console.</p>
      <SearchBox label="Search users" busy={!!action.busy} onSearch={(term) => void action.run('search', () => searchConsoleUsers(term))} />
      <ActionMessages action={action} />
      <ConsoleTable
        label="Users"
        columns={['Username', 'Email', 'Role', 'Status']}
        items={users}
        empty="Nobody found."
        row={(u) => <UserRow key={u.id} user={u} isMe={u.id === myId} action={action} />}
      />
    </>
  );
}

function UserRow({ user, isMe, action }: { user: UserProfile; isMe: boolean; action: ReturnType<typeof useAction> }) {
  const admin = hasSystemAdminRole(user.roles);
  const active = !user.delete_at;
  const name = `@${user.username}`;
  const busy = !!action.busy;
  return (
    <tr data-user-id={user.id}>
      <th scope="row">
        {name}
        {isMe && ' (you)'}
      </th>
      <td>{user.email}</td>
      <td>{admin ? 'System admin' : 'Member'}</td>
      <td>{active ? 'Active' : 'Deactivated'}</td>
      <td>
        <div className="console-actions">
          <button
            type="button"
            className="console-button"
            disabled={busy}
            aria-label={`${active ? 'Deactivate' : 'Activate'} ${name}`}
            onClick={() => void action.run(`active-${user.id}`, () => setUserActive(user, !active), `${name} ${active ? 'deactivated' : 'activated'}.`)}
          >
            {active ? 'Deactivate' : 'Activate'}
          </button>
          <button
            type="button"
            className="console-button"
            disabled={busy}
            aria-label={`${admin ? 'Make member' : 'Make system admin'}: ${name}`}
            onClick={() => void action.run(`roles-${user.id}`, () => setSystemAdmin(user, !admin), `${name} is now ${admin ? 'a member' : 'a system admin'}.`)}
          >
            {admin ? 'Make member' : 'Make system admin'}
          </button>
          <button
            type="button"
            className="console-button"
            disabled={busy}
            aria-label={`Revoke sessions: ${name}`}
            onClick={() => void action.run(`revoke-${user.id}`, () => revokeSessions(user), `Every session of ${name} was revoked.`)}
          >
            Revoke sessions
          </button>
        </div>
      </td>
    </tr>
  );
}
