import type { Team } from '@mattermost/types/teams';
import { useMemo } from 'react';
import { logout } from '../../actions/session';
import { Link } from '../../components/Link';
import { DirectStatus } from '../direct/DirectStatus';
import { isDirectSection, NewMessageButton } from '../direct/NewMessageButton';
import { AccountMenu } from '../status/AccountMenu';
import { sidebarSections } from '../../state/channels';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { ThreadsLink } from '../threads/ThreadsLink';
import { ChannelBadge } from './unreads/ChannelBadge';

/** The team's sidebar: its name, the signed-in user with Log out, and the channel categories. */
export function Sidebar({ team, currentChannelId }: { team: Team; currentChannelId: string }) {
  const channels = useAppState((s) => s.channels);
  const profiles = useAppState((s) => s.users.profiles);
  const myId = useAppState((s) => currentUserId(s.session));
  const sections = useMemo(() => sidebarSections(channels, team.id, team.name, myId, profiles), [channels, team.id, team.name, myId, profiles]);

  return (
    <nav className="sidebar" aria-label="Channels">
      <div className="sidebar-header">
        <p className="sidebar-team">{team.display_name}</p>
        <div className="sidebar-user">
          <AccountMenu />
          <button type="button" className="link-button" onClick={() => void logout()}>
            Log out
          </button>
        </div>
      </div>
      <div className="sidebar-sections">
        <ThreadsLink team={team} />
        {sections.map((section) => (
          <section key={section.id} className="sidebar-section" aria-labelledby={`section-${section.id}`}>
            <h2 id={`section-${section.id}`}>{section.title}</h2>
            {isDirectSection(section.id) && <NewMessageButton team={team} />}
            <ul>
              {section.items.map((item) => (
                <li key={item.id}>
                  <Link to={item.route} aria-current={item.id === currentChannelId ? 'page' : undefined}>
                    <span aria-hidden="true">{item.type === 'P' ? '🔒 ' : item.type === 'O' ? '# ' : ''}</span>
                    {item.label}
                    {item.type === 'D' && <DirectStatus channelId={item.id} />}
                    <ChannelBadge channelId={item.id} current={item.id === currentChannelId} />
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </nav>
  );
}
