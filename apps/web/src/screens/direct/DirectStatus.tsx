import type { Channel } from '@mattermost/types/channels';
import { CustomStatusText, StatusDot } from '../../components/status/StatusDot';
import { directPartnerId } from '../../state/channels';
import { currentUserId } from '../../state/session';
import { useAppState } from '../../state/store';

/** The partner's availability dot of a DM in the sidebar. */
export function DirectStatus({ channelId }: { channelId: string }) {
  const channel = useAppState((s) => s.channels.byId[channelId]);
  const me = useAppState((s) => currentUserId(s.session));
  if (!channel || channel.type !== 'D') return null;
  return <StatusDot userId={directPartnerId(channel, me)} />;
}

/** In a DM's header: the partner's availability and custom status. */
export function DirectHeaderStatus({ channel }: { channel: Channel }) {
  const me = useAppState((s) => currentUserId(s.session));
  if (channel.type !== 'D') return null;
  const partner = directPartnerId(channel, me);
  return (
    <p className="channel-status">
      <StatusDot userId={partner} />
      <CustomStatusText userId={partner} />
    </p>
  );
}
