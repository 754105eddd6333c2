import type { Post } from '@mattermost/types/posts';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { loadOlderPosts } from '../../actions/posts';
import { errorMessage } from '../../api/errors';
import { MarkdownScope } from '../../components/markdown/Markdown';
import { currentUser } from '../../state/selectors';
import { useAppState } from '../../state/store';
import { postListItems } from './posts/list-items';
import { PostItem } from './posts/PostItem';

/** How close to the top (px) the reader gets before the older page is fetched. */
const LOAD_OLDER_AT = 300;
/** How close to the bottom (px) still counts as "at the newest post". */
const BOTTOM_SLACK = 40;

const isAtBottom = (el: HTMLElement): boolean => el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK;

/**
 * The channel's posts, oldest first, with a date line per day and runs of posts by one person
 * collapsed. It stays at the newest post while the reader is at the bottom (new posts, images
 * loading), and leaves them where they are otherwise. Scrolling near the top fetches the older
 * page and keeps the post the reader was looking at in place. ChannelScreen keys it by channel,
 * so every channel opens at its newest post.
 */
export function PostList({ channelId }: { channelId: string }) {
  const list = useAppState((s) => s.posts.byChannel[channelId]);
  const byId = useAppState((s) => s.posts.byId);
  const profiles = useAppState((s) => s.users.profiles);
  const me = useAppState(currentUser);
  const posts = useMemo(
    () =>
      (list?.order ?? [])
        .map((id) => byId[id])
        .filter((p): p is Post => !!p)
        .reverse(),
    [list, byId],
  );
  const items = useMemo(() => postListItems(posts, Date.now()), [posts]);
  const ref = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  /** The scroll height before an older page was added: the list moves down by what was added above. */
  const restoreFrom = useRef<{ height: number; top: number } | undefined>(undefined);
  const [older, setOlder] = useState<{ loading: boolean; error: string }>({ loading: false, error: '' });
  const loading = useRef(false);

  // Whether the reader was at the newest post before this render adds any: read from the DOM as
  // the last commit left it, since the scroll event that would say so may not have come yet (a
  // scroll and a new post in the same frame, or a page in the background that paints no frames).
  if (ref.current) atBottom.current = isAtBottom(ref.current);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const restore = restoreFrom.current;
    if (restore) {
      restoreFrom.current = undefined;
      el.scrollTop = restore.top + (el.scrollHeight - restore.height);
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
  }, [items]);

  // Images load after layout: a reader at the bottom stays there (load does not bubble; capture does).
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const onLoad = () => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    };
    el.addEventListener('load', onLoad, true);
    return () => el.removeEventListener('load', onLoad, true);
  }, [list === undefined]);

  const loadOlder = () => {
    const el = ref.current;
    if (!el || !list || list.atOldest || loading.current) return;
    loading.current = true;
    setOlder({ loading: true, error: '' });
    restoreFrom.current = { height: el.scrollHeight, top: el.scrollTop };
    loadOlderPosts(channelId).then(
      () => {
        loading.current = false;
        setOlder({ loading: false, error: '' });
        // Still near the top (a fast reader, or a short page): the next one.
        requestAnimationFrame(() => {
          if (ref.current && ref.current.scrollTop < LOAD_OLDER_AT) loadOlderRef.current();
        });
      },
      (err: unknown) => {
        loading.current = false;
        restoreFrom.current = undefined;
        setOlder({ loading: false, error: errorMessage(err) });
      },
    );
  };
  // The callback above runs after a render that may have a newer `list`: it calls the latest loadOlder.
  const loadOlderRef = useRef(loadOlder);
  loadOlderRef.current = loadOlder;

  const onScroll = () => {
    const el = ref.current;
    if (!el) return;
    atBottom.current = isAtBottom(el);
    if (el.scrollTop < LOAD_OLDER_AT && !older.error) loadOlder();
  };

  if (!list) return <p className="post-list splash-text">Loading messages…</p>;
  return (
    <MarkdownScope>
      {/* A log: screen readers announce what is added at the end. The list inside keeps list semantics. */}
      <div className="post-list" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
        <ol className="post-items">
          <li className="post-list-start">
            {list.atOldest ? (
              <span className="splash-text">Beginning of the channel</span>
            ) : (
              <button type="button" className="link-button" onClick={loadOlder} disabled={older.loading}>
                {older.loading ? 'Loading older messages…' : older.error ? `${older.error} Try again` : 'Load older messages'}
              </button>
            )}
          </li>
          {posts.length === 0 && <li className="empty-channel">No messages yet. Say hello!</li>}
          {items.map((item) =>
            item.kind === 'date' ? (
              <li key={item.key} className="date-separator">
                <span>{item.label}</span>
              </li>
            ) : (
              <PostItem
                key={item.key}
                post={item.post}
                author={profiles[item.post.user_id]}
                continued={item.continued}
                me={me}
                root={item.post.root_id ? byId[item.post.root_id] : undefined}
                rootAuthor={item.post.root_id ? profiles[byId[item.post.root_id]?.user_id ?? ''] : undefined}
              />
            ),
          )}
        </ol>
      </div>
    </MarkdownScope>
  );
}
