import { ConnectedSocket, MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { isValidId } from '#common';
import type { ConnectionPresence, WebConnection } from '#realtime';
import { ActionGateway, type ActionData, invalidActionParam } from './action-gateway.js';

/** An id the client sends for what it looks at: an id, or '' for nothing. */
function optionalId(data: ActionData, key: string): string | undefined {
  const value = data[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || (value !== '' && !isValidId(value))) throw invalidActionParam(key);
  return value;
}

/**
 * `presence` {channel_id} | {team_id} | {thread_channel_id, is_thread_view}: the web app says where
 * its user is looking, on every channel or team switch and thread opened (when
 * FeatureFlagWebSocketEventScope is on). Mattermost's websocket_router keeps it on the connection
 * (SetActiveChannelID, SetActiveTeamID, SetActiveRHSThreadChannelID /
 * SetActiveThreadViewThreadChannelID) and answers OK; the connection keeps it here too. The hub
 * reads it back: typing and reaction events skip connections looking elsewhere
 * (FeatureFlags.WebSocketEventScope), and Hub.presenceOf tells where a user is looking. Mattermost stores whatever string it gets; here a value that
 * is neither an id nor empty is refused, as every other action's ids are.
 */
@ActionGateway()
export class PresenceGateway {
  @SubscribeMessage('presence')
  presence(@ConnectedSocket() connection: WebConnection, @MessageBody() data: ActionData) {
    const change: Partial<ConnectionPresence> = {};
    const channelId = optionalId(data, 'channel_id');
    if (channelId !== undefined) change.channelId = channelId;
    const teamId = optionalId(data, 'team_id');
    if (teamId !== undefined) change.teamId = teamId;
    const threadChannelId = optionalId(data, 'thread_channel_id');
    if (threadChannelId !== undefined) {
      if (data.is_thread_view === true) change.threadViewThreadChannelId = threadChannelId;
      else change.rhsThreadChannelId = threadChannelId;
    }
    connection.setPresence(change);
  }
}
