import type { Team } from '@mattermost/types/teams';
import { Link } from '../../components/Link';
import { unreadThreadCount } from '../../state/threads';
import { useAppState } from '../../state/store';

/** The sidebar's way to the Threads view (with collapsed threads on), marked while a followed thread has unread replies. */
export function ThreadsLink({ team }: { team: Team }) {
  const collapsed = useAppState((s) => s.threads.collapsed);
  const unread = useAppState((s) => unreadThreadCount(s.threads, team.id));
  const here = useAppState((s) => s.route.screen === 'threads');
  if (!collapsed) return null;
  return (
    <Link
      className={unread > 0 ? 'sidebar-threads sidebar-unread' : 'sidebar-threads'}
      to={{ screen: 'threads', team: team.name, thread: '' }}
      aria-current={here ? 'page' : undefined}
    >
      <span aria-hidden="true">💬 </span>Threads
      {unread > 0 && (
        <span className="unread-dot" title={`${unread} unread`}>
          <span className="visually-hidden">, {unread} unread</span>
        </span>
      )}
    </Link>
  );
}
