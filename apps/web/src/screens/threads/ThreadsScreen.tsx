import type { UserThread } from '@mattermost/types/threads';
import { useMemo } from 'react';
import { Alert } from '../../components/Alert';
import { Link } from '../../components/Link';
import { useTitle } from '../../lib/use-title';
import { channelLabel } from '../../state/channels';
import { currentTeam } from '../../state/selectors';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { teamThreads } from '../../state/threads';
import { displayName } from '../../state/users';
import { Sidebar } from '../channel/Sidebar';
import { ThreadPanel } from './ThreadPanel';

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * The Threads view (/{team}/threads, collapsed reply threads): the threads the user follows, the
 * latest reply first, those with unread replies marked (and their unread mentions counted); the
 * one the URL names (/{team}/threads/{id}) open beside them.
 */
export function ThreadsScreen() {
  const team = useAppState(currentTeam);
  const route = useAppState((s) => s.route);
  const threads = useAppState((s) => s.threads);
  const view = useAppState((s) => s.view);
  const list = useMemo(() => (team ? teamThreads(threads, team.id) : undefined), [threads, team]);
  const selected = route.screen === 'threads' ? route.thread : '';
  useTitle(team ? `Threads - ${team.display_name}` : 'mmchat');

  return (
    <div className="team-layout">
      {team ? <Sidebar team={team} currentChannelId="" /> : <div className="sidebar" />}
      <main className="channel" aria-label="Threads">
        <header className="channel-header">
          <h1>Followed threads</h1>
        </header>
        {view.status === 'failed' ? (
          <div className="channel-header">
            <Alert>{view.error}</Alert>
          </div>
        ) : !list ? (
          <p className="channel-header splash-text">
            {threads.settled && !threads.collapsed ? 'Collapsed reply threads are off: replies show in their channels.' : 'Loading…'}
          </p>
        ) : list.length === 0 ? (
          <p className="channel-header splash-text">No followed threads yet. Threads you start, reply to or are mentioned in show here.</p>
        ) : (
          <ul className="threads-list" aria-label="Followed threads">
            {list.map((thread) => (
              <ThreadItem key={thread.id} thread={thread} teamName={team?.name ?? ''} selected={thread.id === selected} />
            ))}
          </ul>
        )}
      </main>
      {selected && <ThreadPanel rootId={selected} />}
    </div>
  );
}

function ThreadItem({ thread, teamName, selected }: { thread: UserThread; teamName: string; selected: boolean }) {
  const root = useAppState((s) => s.posts.byId[thread.id]);
  const author = useAppState((s) => s.users.profiles[thread.post.user_id]);
  const channel = useAppState((s) => s.channels.byId[thread.post.channel_id]);
  const myId = useAppState((s) => currentUserId(s.session));
  const profiles = useAppState((s) => s.users.profiles);
  const unread = thread.unread_replies > 0 || thread.unread_mentions > 0;
  const message = (root?.message ?? '').replace(/\s+/g, ' ').trim();
  return (
    <li>
      <Link
        className={unread ? 'thread-item thread-unread' : 'thread-item'}
        to={{ screen: 'threads', team: teamName, thread: thread.id }}
        aria-current={selected ? 'true' : undefined}
      >
        <span className="thread-item-top">
          {unread && <span className="unread-dot" aria-hidden="true" />}
          <span className="post-author">{displayName(author)}</span>
          {channel && <span className="thread-item-channel">{channelLabel(channel, myId, profiles)}</span>}
          {unread && <span className="visually-hidden">Unread,</span>}
          {thread.unread_mentions > 0 && (
            <span className="mention-badge" title={`${thread.unread_mentions} mentions`}>
              {thread.unread_mentions}
              <span className="visually-hidden"> mentions,</span>
            </span>
          )}
        </span>
        <span className="thread-item-text">{message || '(no text)'}</span>
        <span className="thread-item-meta">
          {thread.reply_count} {thread.reply_count === 1 ? 'reply' : 'replies'}
          {thread.last_reply_at > 0 && <> · last {timeFormat.format(thread.last_reply_at)}</>}
        </span>
      </Link>
    </li>
  );
}
