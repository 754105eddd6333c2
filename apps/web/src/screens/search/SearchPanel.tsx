import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import { useId } from 'react';
import { chooseSearchTab, closeSearch, jumpToPost } from '../../actions/search';
import { Alert } from '../../components/Alert';
import { channelLabel } from '../../state/channels';
import { fileSize, highlightParts, type SearchTab, type TabResults } from '../../state/search';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { displayName } from '../../state/users';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
/** Below this width the panel covers the channel, so jumping to a message closes it. */
const NARROW = '(max-width: 768px)';

/** The right-hand panel of search results: a Messages tab and a Files tab, each with its count. */
export default function SearchPanel() {
  const state = useAppState((s) => s.search);
  const id = useId();
  const tabs: { tab: SearchTab; label: string; results: TabResults<unknown> }[] = [
    { tab: 'messages', label: 'Messages', results: state.messages },
    { tab: 'files', label: 'Files', results: state.files },
  ];

  return (
    <aside className="search-panel" aria-label="Search results">
      <div className="search-panel-header">
        <h2>Search results</h2>
        <button type="button" className="modal-close" aria-label="Close search results" onClick={closeSearch}>
          ×
        </button>
      </div>
      <p className="search-terms">
        for <q>{state.terms}</q>
      </p>
      <div role="tablist" aria-label="Result types" className="search-tabs">
        {tabs.map(({ tab, label, results }) => (
          <button
            key={tab}
            type="button"
            role="tab"
            id={`${id}-${tab}-tab`}
            aria-controls={`${id}-${tab}`}
            aria-selected={state.tab === tab}
            tabIndex={state.tab === tab ? 0 : -1}
            onClick={() => chooseSearchTab(tab)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') chooseSearchTab(tab === 'messages' ? 'files' : 'messages');
            }}
          >
            {label}
            {results.status === 'ready' ? ` (${results.items.length})` : ''}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${id}-${state.tab}`}
        aria-labelledby={`${id}-${state.tab}-tab`}
        className="search-results"
        aria-busy={current(state).status === 'loading'}
      >
        {state.tab === 'messages' ? <MessageResults /> : <FileResults />}
      </div>
    </aside>
  );
}

const current = (s: { tab: SearchTab; messages: TabResults<unknown>; files: TabResults<unknown> }) => (s.tab === 'messages' ? s.messages : s.files);

function Status({ results, none }: { results: TabResults<unknown>; none: string }) {
  if (results.status === 'loading') return <p className="splash-text">Searching…</p>;
  if (results.status === 'failed') return <Alert>{results.error}</Alert>;
  if (results.items.length === 0) {
    return (
      <div className="splash-text">
        <p>{none}</p>
        <p className="field-hint">Try from:username, in:channel, on:/before:/after: a date (YYYY-MM-DD), "a phrase", or -word to leave a word out.</p>
      </div>
    );
  }
  return null;
}

/** The name a result's channel shows with ("~Town Square", "@bob"). */
function useChannelName(): (channelId: string) => string {
  const byId = useAppState((s) => s.channels.byId);
  const extra = useAppState((s) => s.search.channels);
  const profiles = useAppState((s) => s.users.profiles);
  const me = useAppState((s) => currentUserId(s.session));
  return (channelId: string) => {
    const channel: Channel | undefined = byId[channelId] ?? extra[channelId];
    if (!channel) return '';
    const label = channelLabel(channel, me, profiles);
    return channel.type === 'D' ? `@${label}` : channel.type === 'G' ? label : `~${label}`;
  };
}

function MessageResults() {
  const results = useAppState((s) => s.search.messages);
  const profiles = useAppState((s) => s.users.profiles);
  const channelName = useChannelName();
  const status = <Status results={results} none="No messages found." />;
  if (results.status !== 'ready' || results.items.length === 0) return status;
  return (
    <ol className="search-result-list">
      {results.items.map((post) => (
        <MessageResult
          key={post.id}
          post={post}
          author={profiles[post.user_id]}
          channel={channelName(post.channel_id)}
          matches={results.matches[post.id] ?? []}
        />
      ))}
    </ol>
  );
}

function MessageResult({ post, author, channel, matches }: { post: Post; author: UserProfile | undefined; channel: string; matches: string[] }) {
  const at = new Date(post.create_at);
  const name = displayName(author);
  const jump = () => {
    if (window.matchMedia(NARROW).matches) closeSearch();
    void jumpToPost(post);
  };
  return (
    <li className="search-result">
      <div className="search-result-meta">
        <span className="search-result-channel">{channel}</span>
        <span className="post-author">{name}</span>
        <time className="post-time" dateTime={at.toISOString()}>
          {dateTime.format(at)}
        </time>
      </div>
      <p className="post-message">
        {highlightParts(post.message, matches).map((part, i) => (part.match ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
      </p>
      <button type="button" className="link-button" aria-label={`Jump to the message from ${name} in ${channel}`} onClick={jump}>
        Jump
      </button>
    </li>
  );
}

function FileResults() {
  const results = useAppState((s) => s.search.files);
  const profiles = useAppState((s) => s.users.profiles);
  const channelName = useChannelName();
  const status = <Status results={results} none="No files found." />;
  if (results.status !== 'ready' || results.items.length === 0) return status;
  return (
    <ul className="search-result-list">
      {results.items.map((file) => (
        <FileResult key={file.id} file={file} author={displayName(profiles[file.user_id])} channel={channelName(file.channel_id)} />
      ))}
    </ul>
  );
}

function FileResult({ file, author, channel }: { file: FileInfo; author: string; channel: string }) {
  const at = new Date(file.create_at);
  return (
    <li className="search-result">
      <div className="search-result-meta">
        <span className="search-result-channel">{channel}</span>
        <span className="post-author">{author}</span>
        <time className="post-time" dateTime={at.toISOString()}>
          {dateTime.format(at)}
        </time>
      </div>
      <a className="search-file" href={`/api/v4/files/${encodeURIComponent(file.id)}?download=1`} download={file.name}>
        {file.name}
      </a>{' '}
      <span className="post-time">
        {file.extension.toUpperCase()} · {fileSize(file.size)}
      </span>
    </li>
  );
}
