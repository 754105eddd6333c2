/**
 * Team invitations by email: sending them from the "Invite people" dialog, and using one's link
 * while signed in (the link's sign-up page joins the team instead).
 */
import { client } from '../api/client';
import { inviteOutcomes, parseAddresses, type GracefulInviteResult, type InviteOutcome } from '../state/invitations';
import { DEFAULT_CHANNEL } from '../state/route';
import { store } from '../state/store';
import { navigate } from './navigation';
import { loadTeamPermissions } from './permissions';
import { loadMyTeams } from './teams';

/**
 * POST /teams/{id}/invite/email?graceful=true with the addresses typed (what is no address is not
 * sent: the server would refuse the whole list for it); each address's outcome, in order.
 */
export async function inviteByEmail(teamId: string, text: string): Promise<InviteOutcome[]> {
  const { valid, invalid } = parseAddresses(text);
  if (valid.length === 0) return inviteOutcomes([], [], invalid);
  const answer = (await client.sendEmailInvitesToTeamGracefully(teamId, valid)) as unknown as GracefulInviteResult[];
  return inviteOutcomes(valid, answer, invalid);
}

/**
 * A signed-in person opened an invitation link (a mailed one's token, or a team's invite id):
 * POST /teams/members/invite joins the team, which then opens at its default channel.
 */
export async function joinTeamFromInvitation(token: string, inviteId: string): Promise<void> {
  const member = await client.addToTeamFromInvite(token, inviteId);
  await loadMyTeams(true);
  loadTeamPermissions(member.team_id, true).catch(() => undefined);
  const team = store.get().teams.byId[member.team_id];
  navigate(team ? { screen: 'channel', team: team.name, channel: DEFAULT_CHANNEL } : '/', { replace: true });
}
