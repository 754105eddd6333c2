import { useAppState } from '../../../state/store';
import { unreadOf } from '../../../state/unreads';

/**
 * What a sidebar link says of its channel: its unread mentions as a badge, and for assistive
 * technology (and the link's styles) whether it is unread or muted. Not unread while open.
 */
export function ChannelBadge({ channelId, current }: { channelId: string; current: boolean }) {
  const entry = useAppState((s) => s.unreads.byChannel[channelId]);
  const collapsed = useAppState((s) => s.threads.collapsed);
  if (!entry) return null;
  const { unread, mentions, muted } = unreadOf(entry, collapsed);
  return (
    <>
      {muted && <span className="channel-muted-marker visually-hidden">, muted</span>}
      {unread && !current && <span className="channel-unread-marker visually-hidden">, unread</span>}
      {mentions > 0 && !current && (
        <span className="mention-badge channel-mention-badge">
          <span aria-hidden="true">{mentions}</span>
          <span className="visually-hidden">
            , {mentions} {mentions === 1 ? 'mention' : 'mentions'}
          </span>
        </span>
      )}
    </>
  );
}
