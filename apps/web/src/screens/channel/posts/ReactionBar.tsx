import type { Post } from '@mattermost/types/posts';
import { useMemo, useState } from 'react';
import { addReaction, toggleReaction } from '../../../actions/reactions';
import { errorMessage } from '../../../api/errors';
import { Emoji } from '../../../components/markdown/Markdown';
import { groupReactions, reactionSummary } from '../../../state/reactions';
import { currentUserId } from '../../../state/session';
import { useAppState } from '../../../state/store';
import { displayName } from '../../../state/users';
import { EmojiPicker } from './EmojiPicker';

/**
 * A post's reactions: one button per emoji with its count (pressed when the reader reacted; a
 * click adds or takes back theirs), who reacted in its tooltip and accessible name, and a button
 * that opens the picker for another.
 */
export function ReactionBar({ post }: { post: Post }) {
  const myId = useAppState((s) => currentUserId(s.session));
  const profiles = useAppState((s) => s.users.profiles);
  const groups = useMemo(() => groupReactions(post.metadata?.reactions, myId), [post.metadata?.reactions, myId]);
  const [error, setError] = useState('');
  if (groups.length === 0) return null;
  const toggle = (emoji: string) => {
    setError('');
    toggleReaction(post.id, emoji).catch((err: unknown) => setError(errorMessage(err)));
  };
  return (
    <div className="reactions" role="group" aria-label="Reactions">
      {groups.map((g) => {
        const summary = reactionSummary(g, myId, (id) => displayName(profiles[id]));
        return (
          <button
            key={g.emoji}
            type="button"
            className={g.mine ? 'reaction reaction-mine' : 'reaction'}
            aria-pressed={g.mine}
            aria-label={`${g.count}: ${summary}`}
            title={summary}
            onClick={() => toggle(g.emoji)}
          >
            <Emoji name={g.emoji} />
            <span className="reaction-count">{g.count}</span>
          </button>
        );
      })}
      <AddReactionButton postId={post.id} className="reaction reaction-add" label="Add a reaction" />
      {error && (
        <span className="reaction-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** The button that opens the emoji picker for a post; the chosen emoji is added as the reader's reaction. */
export function AddReactionButton({ postId, className, label }: { postId: string; className: string; label: string }) {
  const [open, setOpen] = useState(false);
  const [button, setButton] = useState<HTMLButtonElement | null>(null);
  const close = () => {
    setOpen(false);
    button?.focus();
  };
  return (
    <span className="add-reaction">
      <button ref={setButton} type="button" className={className} aria-label={label} title={label} aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        <span aria-hidden="true">☺+</span>
      </button>
      {open && (
        <EmojiPicker
          onClose={close}
          onPick={(name) => {
            close();
            addReaction(postId, name).catch(() => undefined);
          }}
        />
      )}
    </span>
  );
}
