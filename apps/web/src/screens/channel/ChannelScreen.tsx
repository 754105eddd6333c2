import { Alert } from '../../components/Alert';
import { useTitle } from '../../lib/use-title';
import { channelLabel } from '../../state/channels';
import { currentChannel, currentTeam } from '../../state/selectors';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { Composer } from './Composer';
import { PostList } from './PostList';
import { DirectHeaderStatus } from '../direct/DirectStatus';
import { DrawerBackdrop, DrawerToggle, useDrawer } from '../layout/drawer';
import { SearchBox } from '../search/SearchBox';
import { SearchPanelSlot } from '../search/SearchPanelSlot';
import { useHighlight } from '../search/use-highlight';
import { QuickSwitcher, useQuickSwitcher } from '../switcher/QuickSwitcher';
import { FileDropZone } from './posts/DropZone';
import { TypingIndicator } from './posts/TypingIndicator';
import { Sidebar } from './Sidebar';
import { ThreadPanel } from '../threads/ThreadPanel';

/** A team's channel (/{team}/channels/{channel}, /{team}/messages/@user): the sidebar, the posts, the composer. */
export function ChannelScreen() {
  const team = useAppState(currentTeam);
  const channel = useAppState(currentChannel);
  const myId = useAppState((s) => currentUserId(s.session));
  const profiles = useAppState((s) => s.users.profiles);
  const view = useAppState((s) => s.view);
  const openRootId = useAppState((s) => s.threads.openRootId);
  // The post jumped to (a search result, a permalink): scrolled to and highlighted once it shows.
  useHighlight(useAppState((s) => s.search.highlight));
  const label = channel ? channelLabel(channel, myId, profiles) : '';
  useTitle(label && team ? `${label} - ${team.display_name}` : 'mmchat');
  const drawer = useDrawer();
  const [switcher, setSwitcher] = useQuickSwitcher();

  return (
    <div className="team-layout" data-drawer={drawer.open ? 'open' : undefined}>
      {team ? <Sidebar team={team} currentChannelId={channel?.id ?? ''} /> : <div className="sidebar" />}
      <DrawerBackdrop drawer={drawer} />
      <main className="channel" aria-label={label || 'Channel'}>
        {channel ? (
          <>
            <header className="channel-header">
              <DrawerToggle drawer={drawer} />
              <h1>{label}</h1>
              {channel.purpose && <p className="channel-purpose">{channel.purpose}</p>}
              <DirectHeaderStatus channel={channel} />
              {team && <SearchBox team={team} />}
            </header>
            <PostList key={`posts-${channel.id}`} channelId={channel.id} />
            <TypingIndicator channelId={channel.id} />
            <Composer key={`composer-${channel.id}`} channelId={channel.id} label={label} />
            <FileDropZone channelId={channel.id} label={label} />
          </>
        ) : view.status === 'failed' ? (
          <div className="channel-header">
            <DrawerToggle drawer={drawer} />
            <Alert>{view.error}</Alert>
          </div>
        ) : (
          <p className="channel-header splash-text">Loading…</p>
        )}
      </main>
      <SearchPanelSlot />
      {switcher && team && <QuickSwitcher team={team} onClose={() => setSwitcher(false)} />}
      {openRootId && <ThreadPanel rootId={openRootId} />}
    </div>
  );
}
