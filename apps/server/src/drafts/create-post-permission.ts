import type { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import type { Session } from '../common/session.js';

/**
 * Whether the session may write in the channel, as api4's upsertDraft and
 * userCreatePostPermissionCheckWithContext decide it: create_post on the channel, or, in a public
 * channel, create_post_public on its team. A channel that does not exist allows nobody, not even
 * a system admin (Mattermost's channel permission check fails on a missing channel first).
 */
export async function mayCreatePost(
  permissions: Pick<PermissionsService, 'hasChannel' | 'hasTeam'>,
  session: Session,
  channel: ChannelRow | undefined,
): Promise<boolean> {
  if (!channel) return false;
  if (await permissions.hasChannel(session, channel.id, 'create_post')) return true;
  return channel.type === 'O' && (await permissions.hasTeam(session, channel.team_id, 'create_post_public'));
}
