import { useState, type KeyboardEvent } from 'react';
import { sendPost } from '../../actions/posts';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';

/** Mattermost's limit of a message (MaxPostSize). */
const MAX_MESSAGE_LENGTH = 16383;

/**
 * The thread panel's own reply box (the channel's composer is another screen's): Enter sends the
 * reply with the thread's root as root_id, Shift+Enter starts a new line; a failed send gives the
 * text back. `onTyping` is told of every change (the typing notice).
 */
export function ReplyBox({ channelId, rootId, onTyping }: { channelId: string; rootId: string; onTyping?: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');

  const send = async () => {
    const message = text.trim();
    if (!message) return;
    setText('');
    setError('');
    try {
      await sendPost(channelId, message, { rootId });
    } catch (err) {
      setError(errorMessage(err));
      setText((current) => current || message);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    void send();
  };

  return (
    <div className="composer reply-box">
      {error && <Alert>{error}</Alert>}
      <textarea
        aria-label="Reply to the thread"
        placeholder="Reply…"
        rows={1}
        maxLength={MAX_MESSAGE_LENGTH}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) onTyping?.();
        }}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}
