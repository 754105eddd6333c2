import { useEffect, useMemo } from 'react';
import { listedMembers } from '../../state/console-directory';
import { useAppState } from '../../state/store';
import { ActionMessages } from './ActionMessages';
import { useAction } from './use-action';

/** The members of a team or a channel, each removable. */
export function MembersPanel({
  ownerId,
  title,
  load,
  remove,
  onClose,
}: {
  ownerId: string;
  title: string;
  load: () => Promise<void>;
  remove: (userId: string) => Promise<void>;
  onClose: () => void;
}) {
  const directory = useAppState((s) => s.adminConsole.directory);
  const members = useMemo(() => listedMembers(directory, ownerId), [directory, ownerId]);
  const action = useAction();
  const { run } = action;

  useEffect(() => {
    // Loaded again only for another team or channel (`load` is a new function on every render).
    void run('load', load);
  }, [ownerId, run]);

  return (
    <section className="console-panel" aria-labelledby={`members-${ownerId}`}>
      <h2 id={`members-${ownerId}`}>{title}</h2>
      <ActionMessages action={action} />
      {members === undefined ? (
        <p className="splash-text">Loading…</p>
      ) : members.length === 0 ? (
        <p>No members.</p>
      ) : (
        <table className="console-table" aria-label={title}>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Roles</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <th scope="row">{m.name}</th>
                <td>{m.roles}</td>
                <td>
                  <button
                    type="button"
                    className="console-button"
                    disabled={!!action.busy}
                    aria-label={`Remove ${m.name}`}
                    onClick={() => void action.run(`remove-${m.userId}`, () => remove(m.userId), `${m.name} removed.`)}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button type="button" className="link-button" onClick={onClose}>
        Close the member list
      </button>
    </section>
  );
}
