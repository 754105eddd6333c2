import { emojiChar } from '../autocomplete/system-emoji';
import { AVAILABILITY_LABELS, customStatusOf, statusOf } from '../../state/status';
import { useAppState } from '../../state/store';

/**
 * A person's availability as a coloured dot (online, away, do not disturb, offline), named for
 * screen readers in a visually hidden text after it (so a link's name reads "alice (Online)").
 * Nothing until the status is known.
 */
export function StatusDot({ userId }: { userId: string }) {
  const status = useAppState((s) => statusOf(s.status, userId));
  if (!status) return null;
  const label = AVAILABILITY_LABELS[status];
  return (
    <span className={`status-dot status-${status}`} title={label}>
      <span className="visually-hidden"> ({label})</span>
    </span>
  );
}

/** The emoji of a custom status (a system emoji's character, else its :name:). */
export function StatusEmoji({ name }: { name: string }) {
  const char = emojiChar(name);
  return (
    <span className="status-emoji" aria-hidden="true">
      {char || `:${name}:`}
    </span>
  );
}

/** A person's custom status (emoji and text), if they have one that has not expired. */
export function CustomStatusText({ userId, className = '' }: { userId: string; className?: string }) {
  const user = useAppState((s) => s.users.profiles[userId]);
  const status = customStatusOf(user, Date.now());
  if (!status) return null;
  return (
    <span className={`custom-status ${className}`} title={status.text}>
      {status.emoji && <StatusEmoji name={status.emoji} />}
      {status.text && <span className="custom-status-text">{status.text}</span>}
      {!status.text && <span className="visually-hidden">:{status.emoji}:</span>}
    </span>
  );
}
