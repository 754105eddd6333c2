import { Injectable } from '@nestjs/common';
import { AppError, badRequest, invalidParam, isUnstorableText, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import { isSystemAdmin, Session } from '../common/session.js';
import { AccountMails } from '../email/account-mails.service.js';
import { isExpired, newTokenString, tokenExtra, TokenRow, TokenType } from '../email/token.model.js';
import { TokensRepository } from '../email/tokens.repository.js';
import { TeamMemberRow } from '../membership/membership.model.js';
import { isValidEmail } from '../users/user.model.js';
import { MemberUsersRepository } from '../membership/member-users.repository.js';
import { InviteRateLimit } from './invite-rate-limit.js';
import { TeamRow } from './team.model.js';
import { TeamMembershipService } from './team-membership.service.js';
import { TeamsRepository } from './teams.repository.js';

/** Mattermost's answers for invitation links (api.user.create_user.signup_link_*). */
const linkInvalid = (status = 400) =>
  new AppError('', 'api.user.create_user.signup_link_invalid.app_error', 'The signup link does not appear to be valid.', status);
const linkExpired = () => badRequest('api.user.create_user.signup_link_expired.app_error', 'The signup link has expired.');

/** One address of a graceful invitation: null error when its mail went out (EmailInviteWithError). */
export interface InviteResult {
  email: string;
  error: AppError | null;
}

/**
 * Team invitations by email (Mattermost's InviteNewUsersToTeam and the token paths that use them):
 * a mail per address with a link that works once and for 48 hours, to sign up into the team
 * (POST /users?t=) or, signed in, to join it (POST /teams/members/invite?token=).
 */
@Injectable()
export class TeamInvitesService {
  private readonly limit = new InviteRateLimit();

  constructor(
    private readonly teams: TeamsRepository,
    private readonly membership: TeamMembershipService,
    private readonly users: MemberUsersRepository,
    private readonly permissions: PermissionsService,
    private readonly tokens: TokensRepository,
    private readonly mails: AccountMails,
    private readonly config: ConfigService,
  ) {}

  /**
   * POST /teams/{team_id}/invite/email: invite_user and add_user_to_team on the team (both refused
   * as invite_user), then ServiceSettings.EnableEmailInvitations (501), the addresses' domains
   * (the team's AllowedDomains and, unless the sender is a system admin, RestrictCreationToDomains)
   * and 20 mails an hour per sender (413). The mails go through the retrying queue: as Mattermost,
   * a mail that fails does not fail the request. With `graceful`, an address outside the domains is
   * reported in the answer instead of failing the whole request.
   */
  async invite(session: Session, teamId: string, emails: string[], graceful: boolean): Promise<InviteResult[]> {
    const may = (await this.permissions.hasTeam(session, teamId, 'invite_user')) && (await this.permissions.hasTeam(session, teamId, 'add_user_to_team'));
    if (!may) throw permissionDenied('invite_user');
    const list = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter(Boolean))];
    // An address that is none (or that PostgreSQL cannot store in the token) is the caller's mistake.
    if (list.length === 0 || list.some((e) => !isValidEmail(e) || isUnstorableText(e))) throw invalidParam('user_email');
    if (!this.config.get().ServiceSettings.EnableEmailInvitations) {
      throw new AppError('', 'api.team.invite_members.disabled.app_error', 'Email invitations are disabled.', 501);
    }
    const team = await this.teams.byId(teamId);
    if (!team || team.delete_at > 0) throw notFound('app.team.get.find.app_error', 'We could not find the existing team.');
    const sender = await this.users.byId(session.user_id);
    if (!sender) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    const domains = this.allowedDomains(team, session);
    const refused = list.filter((e) => !domainsAllow(domains, e));
    if (refused.length > 0 && !graceful) throw outsideDomains(refused);
    const good = list.filter((e) => domainsAllow(domains, e));
    const taken = this.limit.take(session.user_id, good.length);
    if (!taken.ok) {
      throw new AppError(
        '',
        'app.email.rate_limit_exceeded.app_error',
        'Too many invitations: try again later.',
        413,
        `user_id=${session.user_id} retry_after_ms=${taken.retryAfterMs}`,
      );
    }
    for (const email of good) await this.sendInvite(team, sender, email);
    return list.map((email) => ({ email, error: refused.includes(email) ? outsideDomains([email]) : null }));
  }

  /** DELETE /teams/invites/email: every invitation link stops working (invalidate_email_invite). */
  async invalidateAll(session: Session): Promise<void> {
    this.permissions.requireSystem(session, 'invalidate_email_invite');
    await this.tokens.deleteByTypes([TokenType.TeamInvitation]);
  }

  /**
   * POST /teams/members/invite?token=: the signed-in caller joins the invitation's team, and the
   * link is used up (taken first, so two requests with it cannot both join; put back if the join
   * fails in a way the caller can fix, e.g. a full team).
   */
  async joinByToken(session: Session, token: string): Promise<TeamMemberRow> {
    const row = await this.tokens.take(token, TokenType.TeamInvitation);
    if (!row) throw linkInvalid();
    if (isExpired(row)) throw linkExpired();
    const team = await this.teams.byId(tokenExtra(row).teamId ?? '');
    if (!team || team.delete_at > 0) throw notFound('app.team.get.find.app_error', 'We could not find the existing team.');
    const user = await this.users.byId(session.user_id);
    if (!user) throw notFound('app.user.missing_account.const', 'Unable to find the user.');
    return this.orPutBack(row, async () => (await this.membership.join(team, user)).member);
  }

  /**
   * The invitation a sign-up (POST /users?t=) presents, checked as Mattermost's CreateUserWithToken
   * does: an unknown link 404, another kind of token 400, an expired one 400 (and deleted), its
   * team gone 404, and an address other than the invited one 400.
   */
  async signUpInvitation(token: string): Promise<{ row: TokenRow; team: TeamRow; email: string }> {
    const row = await this.tokens.find(token);
    if (!row) throw linkInvalid(404);
    if (row.type !== TokenType.TeamInvitation) throw linkInvalid();
    if (isExpired(row)) {
      await this.tokens.take(token, TokenType.TeamInvitation);
      throw linkExpired();
    }
    const data = tokenExtra(row);
    const team = await this.teams.byId(data.teamId ?? '');
    if (!team || team.delete_at > 0) throw notFound('app.team.get.find.app_error', 'We could not find the existing team.');
    return { row, team, email: (data.email ?? '').toLowerCase() };
  }

  /** Uses the invitation up for a sign-up; false when another request used it first. */
  async useForSignUp(token: string): Promise<TokenRow | undefined> {
    return this.tokens.take(token, TokenType.TeamInvitation);
  }

  /** Puts back an invitation whose sign-up failed (a taken username: the invited person tries again). */
  async putBack(row: TokenRow): Promise<void> {
    await this.tokens.restore(row);
  }

  /** The new member joins the invitation's team (after the sign-up made the account). */
  async joinInvited(team: TeamRow, userId: string): Promise<void> {
    const user = await this.users.byId(userId);
    if (user) await this.membership.join(team, user);
  }

  private async sendInvite(team: TeamRow, sender: { id: string; username: string }, email: string): Promise<void> {
    const token = newTokenString();
    await this.tokens.insert(token, TokenType.TeamInvitation, { teamId: team.id, email, senderId: sender.id });
    await this.mails.teamInvite(email, token, sender.username, team, 'queued');
  }

  /** The domain lists an invited address must satisfy (Mattermost's getAllowedDomains). */
  private allowedDomains(team: TeamRow, session: Session): string[] {
    return isSystemAdmin(session) ? [team.allowed_domains] : [team.allowed_domains, this.config.get().TeamSettings.RestrictCreationToDomains];
  }

  private async orPutBack<T>(row: TokenRow, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      await this.tokens.restore(row);
      throw err;
    }
  }
}

/** "a.com, @b.com c.com" → ["a.com", "b.com", "c.com"] (Mattermost's normalizeDomains). */
function normalizeDomains(domains: string): string[] {
  return domains.toLowerCase().replace(/@/g, ' ').replace(/,/g, ' ').trim().split(/\s+/).filter(Boolean);
}

/** Whether the address is in every non-empty list (Mattermost's isEmailAddressAllowed). */
function domainsAllow(lists: string[], email: string): boolean {
  return lists.every((list) => {
    const domains = normalizeDomains(list);
    return domains.length === 0 || domains.some((d) => email.endsWith(`@${d}`));
  });
}

function outsideDomains(addresses: string[]): AppError {
  return badRequest(
    'api.team.invite_members.invalid_email.app_error',
    `The following email addresses do not belong to an accepted domain: ${addresses.join(', ')}. Please contact your System Administrator for details.`,
  );
}
