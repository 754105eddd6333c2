import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import { memo } from 'react';
import { Markdown } from '../../../components/markdown/Markdown';
import { isSending } from '../../../state/posts';
import { displayName } from '../../../state/users';
import { LinkPreviews } from './LinkPreview';
import { AddReactionButton, ReactionBar } from './ReactionBar';
import { mentionsUser } from './list-items';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

export interface PostItemProps {
  post: Post;
  author: UserProfile | undefined;
  /** Shown as the continuation of the post before (same person, soon after): no name and time line. */
  continued: boolean;
  /** The reader, for the mention highlight. */
  me: UserProfile | undefined;
}

/**
 * One post: its author and time (unless it continues the one before), the message as Markdown,
 * its markers — pinned, edited, deleted, sending — its reactions, and the actions shown on hover
 * or focus (react).
 */
export const PostItem = memo(function PostItem({ post, author, continued, me }: PostItemProps) {
  const system = post.type?.startsWith('system_');
  const sending = isSending(post);
  const deleted = post.delete_at > 0;
  const at = new Date(post.create_at);
  const mentioned = !deleted && !!me && post.user_id !== me.id && mentionsUser(post.message, me.username);
  const classes = [
    'post',
    system && 'post-system',
    sending && 'post-sending',
    continued && 'post-continued',
    mentioned && 'post-mention',
    deleted && 'post-deleted',
  ]
    .filter(Boolean)
    .join(' ');
  const time = (
    <time className="post-time" dateTime={at.toISOString()} title={dateTimeFormat.format(at)}>
      {timeFormat.format(at)}
    </time>
  );
  return (
    <li className={classes} data-post-id={post.id} aria-busy={sending || undefined}>
      {continued ? (
        <div className="post-gutter">{time}</div>
      ) : (
        <div className="post-meta">
          <span className="post-author">{displayName(author)}</span>
          {time}
          {post.is_pinned && !deleted && <span className="post-flag post-pinned">Pinned</span>}
          {sending && <span className="post-time">Sending…</span>}
        </div>
      )}
      <div className="post-body">
        {deleted ? (
          <p className="post-message post-deleted-text">(message deleted)</p>
        ) : (
          <>
            {post.message && <Markdown text={post.message} />}
            {(post.edit_at > 0 || (continued && post.is_pinned)) && (
              <p className="post-flags">
                {continued && post.is_pinned && <span className="post-flag post-pinned">Pinned</span>}
                {post.edit_at > 0 && (
                  <span className="post-flag post-edited" title={`Edited ${dateTimeFormat.format(post.edit_at)}`}>
                    Edited
                  </span>
                )}
              </p>
            )}
            <LinkPreviews post={post} />
            <ReactionBar post={post} />
          </>
        )}
      </div>
      {!deleted && !sending && !system && (
        <div className="post-actions" role="group" aria-label="Message actions">
          <AddReactionButton postId={post.id} className="post-action" label="Add a reaction" />
        </div>
      )}
    </li>
  );
});
