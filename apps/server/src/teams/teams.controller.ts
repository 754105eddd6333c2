import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { badRequest, invalidParam, invalidUrlParam, isValidId } from '#common';
import { CurrentSession, Public } from '../common/decorators.js';
import { bodyIdList, bodyObject, boolParam, optional, pagination, urlId, urlUserId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import { sendPng } from '../common/send-png.js';
import type { Session } from '../common/session.js';
import { channelView, urlChannelName } from '../channels/channel.model.js';
import { rolesBody, schemeRolesBody } from '../membership/scheme-roles.js';
import { TeamType, teamMemberView, teamView, urlTeamName } from './team.model.js';
import { TeamIconsService } from './team-icons.service.js';
import { TeamInvitesService } from './team-invites.service.js';
import { TeamMembershipService } from './team-membership.service.js';
import { TeamChanges, TeamsService } from './teams.service.js';
import { Audited, memberRolesDetail } from '../audits/audited.js';

const OK = { status: 'OK' };
const MAX_BATCH = 256;

function teamChanges(b: Record<string, unknown>): TeamChanges {
  const iconUpdate = optional<number>(b, 'last_team_icon_update', 'number');
  if (iconUpdate !== undefined && !(Number.isSafeInteger(iconUpdate) && iconUpdate >= 0)) throw invalidParam('last_team_icon_update');
  return {
    display_name: optional(b, 'display_name', 'string'),
    description: optional(b, 'description', 'string'),
    company_name: optional(b, 'company_name', 'string'),
    allowed_domains: optional(b, 'allowed_domains', 'string'),
    allow_open_invite: optional(b, 'allow_open_invite', 'boolean'),
    group_constrained: optional(b, 'group_constrained', 'boolean'),
    last_team_icon_update: iconUpdate,
  };
}

/** The addresses of an invitation: a JSON array of strings, or Mattermost's MemberInvite {"emails": [...]}. */
function inviteEmails(body: unknown): string[] {
  const list = Array.isArray(body) ? body : body && typeof body === 'object' ? (body as { emails?: unknown }).emails : undefined;
  if (list === undefined || list === null) throw invalidParam('user_email');
  if (!Array.isArray(list) || list.some((e) => typeof e !== 'string')) {
    throw badRequest('api.team.invite_members_to_team_and_channels.invalid_body_parsing.app_error', 'Invalid request body.');
  }
  if (list.length > MAX_BATCH) throw invalidParam('user_email');
  return list as string[];
}

/** A listing with its total when one was computed, else the bare list (GET /teams, POST /teams/search). */
function listing<T>(result: { teams: T[]; total_count?: number }) {
  return result.total_count === undefined ? result.teams : result;
}

/** /api/v4/teams: teams and their members. Static paths come before /:team_id. */
@Controller('teams')
export class TeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly membership: TeamMembershipService,
    private readonly icons: TeamIconsService,
    private readonly invites: TeamInvitesService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'team');
    const team = await this.teams.create(s, {
      name: optional<string>(b, 'name', 'string') ?? '',
      display_name: optional<string>(b, 'display_name', 'string') ?? '',
      type: optional<string>(b, 'type', 'string') ?? '',
      description: optional(b, 'description', 'string'),
      company_name: optional(b, 'company_name', 'string'),
      allowed_domains: optional(b, 'allowed_domains', 'string'),
      allow_open_invite: optional(b, 'allow_open_invite', 'boolean'),
      email: optional(b, 'email', 'string'),
    });
    // Not sanitized: the creator is the team's admin.
    return teamView(team);
  }

  @Get()
  async list(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    return listing(await this.teams.list(s, page, perPage, boolParam(q.include_total_count)));
  }

  @Post('search')
  async search(@Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'team_search');
    return listing(
      await this.teams.search(s, {
        term: optional<string>(b, 'term', 'string') ?? '',
        page: optional<number>(b, 'page', 'number'),
        perPage: optional<number>(b, 'per_page', 'number'),
        allowOpenInvite: optional<boolean>(b, 'allow_open_invite', 'boolean'),
      }),
    );
  }

  @Get('name/:team_name/exists')
  async exists(@Param('team_name') name: string, @CurrentSession() s: Session) {
    return { exists: await this.teams.exists(s, urlTeamName(name)) };
  }

  @Get('name/:team_name')
  async byName(@Param('team_name') name: string, @CurrentSession() s: Session) {
    return this.teams.getVisibleByName(s, urlTeamName(name));
  }

  @Get('name/:team_name/channels/name/:channel_name')
  async channelByName(
    @Param('team_name') teamName: string,
    @Param('channel_name') channelName: string,
    @Query('include_deleted') includeDeleted: string | undefined,
    @CurrentSession() s: Session,
  ) {
    const channel = await this.teams.channelByName(s, urlTeamName(teamName), urlChannelName(channelName), boolParam(includeDeleted));
    return channelView(channel);
  }

  /** Public information shown on the invite landing page; invite-only teams are not described. */
  @Public()
  @Get('invite/:invite_id')
  async inviteInfo(@Param('invite_id') inviteId: string) {
    if (!/^[A-Za-z0-9]+$/.test(inviteId)) throw invalidUrlParam('invite_id');
    return this.teams.inviteInfo(inviteId);
  }

  @Post('members/invite')
  @HttpCode(201)
  async joinFromInvite(@Query('invite_id') inviteId: string | undefined, @Query('token') token: string | undefined, @CurrentSession() s: Session) {
    // An email invitation's token first, as Mattermost's addUserToTeamFromInvite.
    if (token) return teamMemberView(await this.invites.joinByToken(s, token));
    if (!inviteId) throw badRequest('api.team.add_user_to_team.missing_parameter.app_error', 'Parameter required to add user to team.');
    return teamMemberView(await this.teams.joinByInviteId(s, inviteId));
  }

  /** Every email invitation link stops working (invalidate_email_invite). */
  @Delete('invites/email')
  async invalidateEmailInvites(@CurrentSession() s: Session) {
    await this.invites.invalidateAll(s);
    return OK;
  }

  @Get(':team_id')
  async get(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    return this.teams.getVisible(s, urlId(teamId, 'team_id'));
  }

  @Get(':team_id/image')
  async icon(@Param('team_id') teamId: string, @CurrentSession() s: Session, @Res() res: Response) {
    const { png, etag } = await this.icons.icon(s, urlId(teamId, 'team_id'));
    sendPng(res, png, { etag });
  }

  @Post(':team_id/image')
  async setIcon(@Param('team_id') teamId: string, @CurrentSession() s: Session, @Req() req: ApiRequest) {
    await this.icons.upload(s, urlId(teamId, 'team_id'), { headers: req.headers, body: req });
    return OK;
  }

  @Delete(':team_id/image')
  async removeIcon(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    await this.icons.remove(s, urlId(teamId, 'team_id'));
    return OK;
  }

  @Put(':team_id')
  async update(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const b = bodyObject(body, 'team');
    if (b.id !== id) throw invalidParam('id');
    const c = teamChanges(b);
    return this.teams.update(s, id, {
      display_name: c.display_name ?? '',
      description: c.description ?? '',
      company_name: c.company_name ?? '',
      allowed_domains: c.allowed_domains ?? '',
      allow_open_invite: c.allow_open_invite ?? false,
      last_team_icon_update: c.last_team_icon_update ?? 0,
      group_constrained: c.group_constrained,
    });
  }

  @Delete(':team_id')
  async delete(@Param('team_id') teamId: string, @Query('permanent') permanent: string | undefined, @CurrentSession() s: Session) {
    await this.teams.delete(s, urlId(teamId, 'team_id'), boolParam(permanent));
    return OK;
  }

  @Put(':team_id/patch')
  async patch(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const changes = teamChanges(bodyObject(body, 'team'));
    return this.teams.patch(s, id, changes);
  }

  @Post(':team_id/restore')
  async restore(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    return teamView(await this.teams.restore(s, urlId(teamId, 'team_id')));
  }

  @Put(':team_id/privacy')
  async privacy(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const privacy = optional<string>(bodyObject(body), 'privacy', 'string');
    if (privacy !== 'O' && privacy !== 'I') throw invalidParam('privacy');
    return teamView(await this.teams.setPrivacy(s, id, privacy as TeamType));
  }

  @Post(':team_id/regenerate_invite_id')
  async regenerateInviteId(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    return this.teams.regenerateInviteId(s, urlId(teamId, 'team_id'));
  }

  /**
   * Invitations by email: the body is the list of addresses (Mattermost's API reference; its
   * newer clients send {"emails": [...]}, taken too). ?graceful answers each address's outcome.
   */
  @Post(':team_id/invite/email')
  @HttpCode(200)
  async inviteByEmail(@Param('team_id') teamId: string, @Body() body: unknown, @Query('graceful') graceful: string | undefined, @CurrentSession() s: Session) {
    const results = await this.invites.invite(s, urlId(teamId, 'team_id'), inviteEmails(body), !!graceful);
    return graceful ? results : OK;
  }

  @Get(':team_id/stats')
  async stats(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    return this.teams.stats(s, urlId(teamId, 'team_id'));
  }

  // ---- members -----------------------------------------------------------------------------

  @Get(':team_id/members')
  async listMembers(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const { page, perPage } = pagination(q);
    const rows = await this.membership.list(s, id, page, perPage, {
      sortByUsername: q.sort === 'Username',
      excludeDeletedUsers: boolParam(q.exclude_deleted_users),
    });
    return rows.map(teamMemberView);
  }

  @Post(':team_id/members')
  @HttpCode(201)
  async addMember(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest('api.team.add_team_member.invalid_body.app_error', 'Error parsing the team member.');
    }
    const b = body as Record<string, unknown>;
    if (b.team_id !== id) throw invalidParam('team_id');
    if (!isValidId(b.user_id)) throw invalidParam('user_id');
    return teamMemberView(await this.teams.addMember(id, b.user_id, s));
  }

  @Post(':team_id/members/batch')
  @HttpCode(201)
  async addMembers(@Param('team_id') teamId: string, @Query('graceful') graceful: string | undefined, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    if (!Array.isArray(body)) throw invalidParam('members');
    if (body.length > MAX_BATCH) throw invalidParam('too many members in batch');
    if (body.length === 0) throw invalidParam('no members in batch');
    const userIds: string[] = [];
    for (const entry of body) {
      const m = bodyObject(entry, 'members');
      if (m.team_id !== id) throw invalidParam(`team_id for member with user_id=${String(m.user_id)}`);
      if (!isValidId(m.user_id)) throw invalidParam('user_id');
      userIds.push(m.user_id);
    }
    const results = await this.teams.addMembers(s, id, userIds, Boolean(graceful));
    if (graceful) {
      return results.map((r) => ({
        user_id: r.user_id,
        member: r.member ? teamMemberView(r.member) : null,
        error: r.error ? r.error.toJSON(false) : null,
      }));
    }
    return results.map((r) => teamMemberView(r.member!));
  }

  @Post(':team_id/members/ids')
  async membersByIds(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const userIds = bodyIdList(body, 'user_ids');
    return (await this.membership.byUserIds(s, id, userIds)).map(teamMemberView);
  }

  @Get(':team_id/members/:user_id')
  async member(@Param('team_id') teamId: string, @Param('user_id') userId: string, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const uid = urlUserId(userId, s);
    return teamMemberView(await this.membership.getMember(s, id, uid));
  }

  @Delete(':team_id/members/:user_id')
  async removeMember(@Param('team_id') teamId: string, @Param('user_id') userId: string, @CurrentSession() s: Session) {
    await this.teams.removeMember(s, urlId(teamId, 'team_id'), urlUserId(userId, s));
    return OK;
  }

  @Put(':team_id/members/:user_id/roles')
  @Audited(memberRolesDetail('updateTeamMemberRoles', 'team_id'))
  async updateRoles(@Param('team_id') teamId: string, @Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const uid = urlUserId(userId, s);
    const roles = rolesBody(body, 'team_member_roles');
    await this.membership.updateRoles(s, id, uid, roles);
    return OK;
  }

  @Put(':team_id/members/:user_id/schemeRoles')
  @Audited(memberRolesDetail('updateTeamMemberSchemeRoles', 'team_id'))
  async updateSchemeRoles(@Param('team_id') teamId: string, @Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const uid = urlUserId(userId, s);
    const flags = schemeRolesBody(body);
    await this.membership.updateSchemeRoles(s, id, uid, flags);
    return OK;
  }
}
