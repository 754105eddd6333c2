/**
 * Slash commands: POST /commands/execute runs one in the open channel (or thread). What it says
 * back to the user alone arrives as an `ephemeral_message` event (actions/socket.ts) and shows in
 * the channel; a reply that sends the person somewhere (goto_location) is followed.
 */
import type { CommandResponse } from '@mattermost/types/integrations';
import { client } from '../api/client';
import { navigate } from './navigation';

export async function runCommand(teamId: string, channelId: string, rootId: string, command: string): Promise<CommandResponse> {
  const response = await client.executeCommand(command, { channel_id: channelId, team_id: teamId, root_id: rootId });
  if (response.goto_location) followLocation(response.goto_location);
  return response;
}

/** A place on this site opens in the app; another site in a new tab (as Mattermost's web app does). */
function followLocation(location: string): void {
  const url = new URL(location, window.location.origin);
  if (url.origin === window.location.origin) navigate(url.pathname + url.search);
  else window.open(url.href, '_blank', 'noopener,noreferrer');
}
