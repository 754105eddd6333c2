import { useMemo } from 'react';
import { useAppState } from '../../../state/store';
import { typingMessage, typingUserIds } from '../../../state/typing';
import { displayName } from '../../../state/users';

/** "alice is typing…" under a channel's posts or a thread's replies; the line keeps its height so nothing moves. */
export function TypingIndicator({ channelId, parentId = '' }: { channelId: string; parentId?: string }) {
  const typing = useAppState((s) => s.typing);
  const profiles = useAppState((s) => s.users.profiles);
  const text = useMemo(
    () => typingMessage(typingUserIds(typing, channelId, parentId).map((id) => displayName(profiles[id]))),
    [typing, profiles, channelId, parentId],
  );
  return (
    <p className="typing-indicator" aria-live="polite">
      {text}
    </p>
  );
}
