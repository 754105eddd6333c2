import type { Post } from '@mattermost/types/posts';
import type { UserProfile } from '@mattermost/types/users';
import { memo } from 'react';
import { openThread } from '../../../actions/threads';
import { Markdown } from '../../../components/markdown/Markdown';
import { isSending } from '../../../state/posts';
import { displayName } from '../../../state/users';
import { Attachments } from './Attachments';
import { LinkPreviews } from './LinkPreview';
import { MessageAttachments } from './MessageAttachments';
import { mentionsUser } from './list-items';
import { AddReactionButton, ReactionBar } from './ReactionBar';

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

export interface PostItemProps {
  post: Post;
  author: UserProfile | undefined;
  /** Shown as the continuation of the post before (same person, soon after): no name and time line. */
  continued: boolean;
  /** The reader, for the mention highlight. */
  me: UserProfile | undefined;
  /** Shown in the thread panel: no reply count or reply action (the panel is the thread). */
  inThread?: boolean;
  /** A reply shown in the channel (collapsed threads off): its thread's root and author, for "Commented on …". */
  root?: Post;
  rootAuthor?: UserProfile;
}

/**
 * One post: its author and time (unless it continues the one before), the message as Markdown,
 * its markers — pinned, edited, deleted, sending — its reactions, a root's reply count and a
 * reply's thread, and the actions shown on hover or focus (react, reply).
 */
export const PostItem = memo(function PostItem({ post, author, continued, me, inThread = false, root, rootAuthor }: PostItemProps) {
  const system = post.type?.startsWith('system_');
  const sending = isSending(post);
  const deleted = post.delete_at > 0;
  const at = new Date(post.create_at);
  const mentioned = !deleted && !!me && post.user_id !== me.id && mentionsUser(post.message, me.username);
  const rootId = post.root_id || post.id;
  const replies = !post.root_id ? (post.reply_count ?? 0) : 0;
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
      {!inThread && post.root_id && !continued && (
        <button type="button" className="post-reply-context link-button" onClick={() => openThread(rootId)}>
          {root ? `Commented on ${displayName(rootAuthor)}'s message: ${excerpt(root.message)}` : 'Replied in a thread'}
        </button>
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
            <MessageAttachments post={post} />
            <Attachments post={post} />
            <LinkPreviews post={post} />
            <ReactionBar post={post} />
          </>
        )}
        {!inThread && replies > 0 && (
          <button type="button" className="post-replies link-button" onClick={() => openThread(rootId)}>
            {replies} {replies === 1 ? 'reply' : 'replies'}
          </button>
        )}
      </div>
      {!deleted && !sending && !system && (
        <div className="post-actions" role="group" aria-label="Message actions">
          <AddReactionButton postId={post.id} className="post-action" label="Add a reaction" />
          {!inThread && (
            <button type="button" className="post-action" aria-label="Reply in a thread" title="Reply" onClick={() => openThread(rootId)}>
              <span aria-hidden="true">↩</span>
            </button>
          )}
        </div>
      )}
    </li>
  );
});

/** The start of a message, on one line (the thread a reply belongs to). */
function excerpt(message: string, max = 80): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
