import type { Team } from '@mattermost/types/teams';
import { useMemo, useState } from 'react';
import { logout } from '../../actions/session';
import { Alert } from '../../components/Alert';
import { Link } from '../../components/Link';
import { DirectStatus } from '../direct/DirectStatus';
import { isDirectSection, NewMessageButton } from '../direct/NewMessageButton';
import { AccountMenu } from '../status/AccountMenu';
import { collapsedItems, sidebarSections } from '../../state/channels';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { unreadOf } from '../../state/unreads';
import { TeamMenu } from '../teams/TeamMenu';
import { TeamSidebar } from '../teams/TeamSidebar';
import { ThreadsLink } from '../threads/ThreadsLink';
import { CategoryHeader } from './categories/CategoryHeader';
import { ChannelMenu } from './categories/ChannelMenu';
import { NewCategoryButton } from './categories/NewCategoryButton';
import { ChannelBadge } from './unreads/ChannelBadge';

/**
 * The team's sidebar: the team switcher (people on several teams), the team menu, the signed-in
 * user with Log out, and the channel categories —
 * each foldable, custom ones renamed or deleted from their menu, each channel moved between them
 * (or favourited) from its own.
 */
export function Sidebar({ team, currentChannelId }: { team: Team; currentChannelId: string }) {
  const channels = useAppState((s) => s.channels);
  const profiles = useAppState((s) => s.users.profiles);
  const unreads = useAppState((s) => s.unreads.byChannel);
  const threadsCollapsed = useAppState((s) => s.threads.collapsed);
  const myId = useAppState((s) => currentUserId(s.session));
  const [error, setError] = useState('');
  const sections = useMemo(() => sidebarSections(channels, team.id, team.name, myId, profiles), [channels, team.id, team.name, myId, profiles]);
  const categories = channels.categories[team.id] ?? [];
  const isUnread = (id: string) => unreadOf(unreads[id], threadsCollapsed).unread;

  return (
    <div className="sidebar">
      <TeamSidebar current={team} />
      <nav className="sidebar-channels" aria-label="Channels">
        <div className="sidebar-header">
          <TeamMenu team={team} />
          <div className="sidebar-user">
            <AccountMenu />
            <button type="button" className="link-button" onClick={() => void logout()}>
              Log out
            </button>
          </div>
        </div>
        <div className="sidebar-sections">
          <ThreadsLink team={team} />
          {error && <Alert>{error}</Alert>}
          {sections.map((section) => {
            const headingId = `section-${section.id}`;
            const items = section.category?.collapsed ? collapsedItems(section.items, currentChannelId, isUnread) : section.items;
            return (
              <section key={section.id} className="sidebar-section" aria-labelledby={headingId}>
                {section.category ? (
                  <CategoryHeader teamId={team.id} category={section.category} headingId={headingId} onError={setError} />
                ) : (
                  <h2 id={headingId}>{section.title}</h2>
                )}
                {isDirectSection(section.id) && <NewMessageButton team={team} />}
                <ul>
                  {items.map((item) => {
                    const channel = channels.byId[item.id];
                    return (
                      <li key={item.id} className="sidebar-item">
                        <Link to={item.route} aria-current={item.id === currentChannelId ? 'page' : undefined}>
                          <span aria-hidden="true">{item.type === 'P' ? '🔒 ' : item.type === 'O' ? '# ' : ''}</span>
                          {item.label}
                          {item.type === 'D' && <DirectStatus channelId={item.id} />}
                          <ChannelBadge channelId={item.id} current={item.id === currentChannelId} />
                        </Link>
                        {channel && categories.length > 0 && (
                          <ChannelMenu teamId={team.id} channel={channel} label={item.label} categories={categories} onError={setError} />
                        )}
                      </li>
                    );
                  })}
                </ul>
              </section>
            );
          })}
          {categories.length > 0 && <NewCategoryButton teamId={team.id} />}
        </div>
      </nav>
    </div>
  );
}
