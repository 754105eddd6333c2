import { useState, type KeyboardEvent } from 'react';
import { sendPost } from '../../actions/posts';
import { errorMessage } from '../../api/errors';
import { Alert } from '../../components/Alert';

/** Mattermost's limit of a message (MaxPostSize). */
const MAX_MESSAGE_LENGTH = 16383;

/** The message box: Enter sends, Shift+Enter starts a new line; a failed send gives the text back. */
export function Composer({ channelId, label }: { channelId: string; label: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState('');

  const send = async () => {
    const message = text.trim();
    if (!message) return;
    setText('');
    setError('');
    try {
      await sendPost(channelId, message);
    } catch (err) {
      setError(errorMessage(err));
      setText((current) => current || message);
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Not while an input method is composing (Enter then confirms the characters).
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
    e.preventDefault();
    void send();
  };

  return (
    <div className="composer">
      {error && <Alert>{error}</Alert>}
      <textarea
        aria-label={`Write to ${label}`}
        aria-describedby="composer-hint"
        placeholder={`Write to ${label}`}
        rows={1}
        maxLength={MAX_MESSAGE_LENGTH}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <p id="composer-hint" className="composer-hint">
        Enter to send, Shift+Enter for a new line.
      </p>
    </div>
  );
}
