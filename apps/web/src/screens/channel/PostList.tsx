import type { Post } from '@mattermost/types/posts';
import { useLayoutEffect, useMemo, useRef } from 'react';
import { isSending } from '../../state/posts';
import { useAppState } from '../../state/store';
import { displayName } from '../../state/users';

/**
 * The channel's posts, oldest first, as plain text (Markdown comes later). It stays scrolled to
 * the newest post while the reader is at the bottom, and leaves them where they are otherwise.
 * ChannelScreen keys it by channel, so every channel opens at its newest post.
 */
export function PostList({ channelId }: { channelId: string }) {
  const list = useAppState((s) => s.posts.byChannel[channelId]);
  const byId = useAppState((s) => s.posts.byId);
  const profiles = useAppState((s) => s.users.profiles);
  const posts = useMemo(
    () =>
      (list?.order ?? [])
        .map((id) => byId[id])
        .filter((p): p is Post => !!p)
        .reverse(),
    [list, byId],
  );
  const ref = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [posts]);

  const onScroll = () => {
    const el = ref.current;
    if (el) atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  };

  if (!list) return <p className="post-list splash-text">Loading messages…</p>;
  return (
    // A log: screen readers announce what is added at the end.
    <ol className="post-list" ref={ref} onScroll={onScroll} role="log" aria-live="polite" aria-label="Messages" tabIndex={0}>
      {posts.length === 0 && <li className="empty-channel">No messages yet. Say hello!</li>}
      {posts.map((post) => (
        <PostItem key={post.id} post={post} author={displayName(profiles[post.user_id])} />
      ))}
    </ol>
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

function PostItem({ post, author }: { post: Post; author: string }) {
  const system = post.type?.startsWith('system_');
  const sending = isSending(post);
  const at = new Date(post.create_at);
  const classes = ['post', system && 'post-system', sending && 'post-sending'].filter(Boolean).join(' ');
  return (
    <li className={classes} data-post-id={post.id} aria-busy={sending || undefined}>
      <div className="post-meta">
        <span className="post-author">{author}</span>
        <time className="post-time" dateTime={at.toISOString()} title={dateTimeFormat.format(at)}>
          {timeFormat.format(at)}
        </time>
        {sending && <span className="post-time">Sending…</span>}
      </div>
      <p className="post-message">{post.message}</p>
    </li>
  );
}
