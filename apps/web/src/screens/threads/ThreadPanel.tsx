import { Fragment, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { closeThread, loadThread, markThreadRead } from '../../actions/threads';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';
import { MarkdownScope } from '../../components/markdown/Markdown';
import { channelLabel } from '../../state/channels';
import { threadPosts } from '../../state/posts';
import { currentUser } from '../../state/selectors';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';
import { postListItems } from '../channel/posts/list-items';
import { PostItem } from '../channel/posts/PostItem';
import { ReplyBox } from './ReplyBox';
import { userTyping } from '../../actions/typing';
import { TypingIndicator } from '../channel/posts/TypingIndicator';

const isAtBottom = (el: HTMLElement): boolean => el.scrollHeight - el.scrollTop - el.clientHeight < 40;

/**
 * A thread beside the channel (or in the Threads view): its root, its replies as they come, and a
 * reply box. Opening it loads the whole thread (GET /posts/{id}/thread) and, with collapsed
 * threads, marks it read; replies arriving while it is open are read too.
 */
export function ThreadPanel({ rootId }: { rootId: string }) {
  const postsState = useAppState((s) => s.posts);
  const posts = useMemo(() => threadPosts(postsState, rootId), [postsState, rootId]);
  const root = posts[0];
  const profiles = useAppState((s) => s.users.profiles);
  const me = useAppState(currentUser);
  const myId = useAppState((s) => currentUserId(s.session));
  const channel = useAppState((s) => (root ? s.channels.byId[root.channel_id] : undefined));
  const unread = useAppState((s) => (s.threads.byId[rootId]?.unread_replies ?? 0) + (s.threads.byId[rootId]?.unread_mentions ?? 0));
  const [error, setError] = useState('');
  const items = useMemo(() => postListItems(posts, Date.now()), [posts]);
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  useEffect(() => {
    setError('');
    atBottom.current = true;
    loadThread(rootId).catch((err: unknown) => setError(errorMessage(err)));
  }, [rootId]);

  useEffect(() => {
    if (unread > 0) markThreadRead(rootId).catch(() => undefined);
  }, [rootId, unread]);

  // At the newest reply before this render adds any (read from the DOM: see PostList).
  if (ref.current) atBottom.current = isAtBottom(ref.current);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [items]);

  const replies = root?.reply_count ?? posts.length - 1;
  return (
    <aside className="thread-panel" aria-label="Thread">
      <header className="thread-header">
        <div>
          <h2>Thread</h2>
          {channel && <p className="channel-purpose">{channelLabel(channel, myId, profiles)}</p>}
        </div>
        <button type="button" className="thread-close" aria-label="Close the thread" title="Close" onClick={closeThread}>
          ×
        </button>
      </header>
      {error && !root ? (
        <div className="thread-body">
          <Alert>{error}</Alert>
        </div>
      ) : !root ? (
        <p className="thread-body splash-text">Loading the thread…</p>
      ) : (
        <MarkdownScope>
          <div className="post-list thread-posts" ref={ref} role="log" aria-live="polite" aria-label="Thread messages" tabIndex={0}>
            <ol className="post-items">
              {items.map((item) =>
                item.kind === 'date' ? (
                  <li key={item.key} className="date-separator">
                    <span>{item.label}</span>
                  </li>
                ) : item.post.id === rootId ? (
                  <Fragment key={item.key}>
                    <PostItem post={item.post} author={profiles[item.post.user_id]} continued={false} me={me} inThread />
                    <li className="thread-reply-count">{replies > 0 ? `${replies} ${replies === 1 ? 'reply' : 'replies'}` : 'No replies yet'}</li>
                  </Fragment>
                ) : (
                  <PostItem key={item.key} post={item.post} author={profiles[item.post.user_id]} continued={item.continued} me={me} inThread />
                ),
              )}
            </ol>
          </div>
        </MarkdownScope>
      )}
      {root && <TypingIndicator channelId={root.channel_id} parentId={rootId} />}
      {root && !root.delete_at && <ReplyBox key={rootId} channelId={root.channel_id} rootId={rootId} onTyping={() => userTyping(root.channel_id, rootId)} />}
    </aside>
  );
}
