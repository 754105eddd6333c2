import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { badRequest, forbidden, invalidParam, invalidUrlParam, isValidId } from '#common';
import { CurrentSession, Public } from '../common/decorators.js';
import { bodyIdList, bodyObject, boolParam, optional, pagination, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { rolesBody, schemeRolesBody } from '../channels/scheme-roles.js';
import { TeamType, teamMemberView, teamView, urlTeamName } from './team.model.js';
import { TeamMembersRepository } from './team-members.repository.js';
import { TeamMembershipService } from './team-membership.service.js';
import { TeamViews } from './team-views.js';
import { TeamChanges, TeamsService } from './teams.service.js';

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

/** /api/v4/teams: teams and their members. Static paths come before /:team_id. */
@Controller('teams')
export class TeamsController {
  constructor(
    private readonly teams: TeamsService,
    private readonly membership: TeamMembershipService,
    private readonly members: TeamMembersRepository,
    private readonly views: TeamViews,
    private readonly permissions: PermissionsService,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'team');
    if (!this.permissions.hasSystem(s, 'create_team')) {
      throw forbidden('api.team.is_team_creation_allowed.disabled.app_error', 'Team creation has been disabled. Please ask your System Administrator for details.');
    }
    const team = await this.teams.create(s.user_id, {
      name: optional<string>(b, 'name', 'string') ?? '',
      display_name: optional<string>(b, 'display_name', 'string') ?? '',
      type: optional<string>(b, 'type', 'string') ?? '',
      description: optional(b, 'description', 'string'),
      company_name: optional(b, 'company_name', 'string'),
      allowed_domains: optional(b, 'allowed_domains', 'string'),
      allow_open_invite: optional(b, 'allow_open_invite', 'boolean'),
    });
    // Not sanitized: the creator is the team's admin.
    return teamView(team);
  }

  @Get()
  async list(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    const filter = this.teams.listingFilter(s);
    const present = await this.views.forSession(s);
    const teams = (await this.teams.list(filter, page, perPage)).map(present);
    if (boolParam(q.include_total_count)) return { teams, total_count: await this.teams.count(filter) };
    return teams;
  }

  @Post('search')
  async search(@Body() body: unknown, @CurrentSession() s: Session) {
    const b = bodyObject(body, 'team_search');
    const term = optional<string>(b, 'term', 'string') ?? '';
    const page = optional<number>(b, 'page', 'number');
    const perPage = optional<number>(b, 'per_page', 'number');
    const filter = { ...this.teams.listingFilter(s), term };
    const openInvite = optional<boolean>(b, 'allow_open_invite', 'boolean');
    if (openInvite !== undefined && filter.allowOpenInvite === undefined) filter.allowOpenInvite = openInvite;
    const present = await this.views.forSession(s);
    if (page !== undefined && perPage !== undefined) {
      const size = Math.min(Math.max(0, Math.floor(perPage)), 200);
      const teams = (await this.teams.list(filter, Math.max(0, Math.floor(page)), size)).map(present);
      return { teams, total_count: await this.teams.count(filter) };
    }
    return (await this.teams.list(filter, 0, 200)).map(present);
  }

  @Get('name/:team_name/exists')
  async exists(@Param('team_name') name: string, @CurrentSession() s: Session) {
    return { exists: await this.teams.exists(s, urlTeamName(name)) };
  }

  @Get('name/:team_name')
  async byName(@Param('team_name') name: string, @CurrentSession() s: Session) {
    const team = await this.teams.getByName(urlTeamName(name));
    await this.teams.requireViewable(s, team);
    return this.views.one(s, team);
  }

  /** Public information shown on the invite landing page; invite-only teams are not described. */
  @Public()
  @Get('invite/:invite_id')
  async inviteInfo(@Param('invite_id') inviteId: string) {
    if (!/^[A-Za-z0-9]+$/.test(inviteId)) throw invalidUrlParam('invite_id');
    const team = await this.teams.byInviteId(inviteId);
    if (team.type !== 'O') throw forbidden('api.team.get_invite_info.not_open_team', 'Invite is invalid because this is not an open team.', `id=${inviteId}`);
    return { display_name: team.display_name, description: team.description, name: team.name, id: team.id };
  }

  @Post('members/invite')
  @HttpCode(201)
  async joinFromInvite(@Query('invite_id') inviteId: string | undefined, @Query('token') token: string | undefined, @CurrentSession() s: Session) {
    if (token) {
      // Email invitations (tokens) are not issued by this server, so no token can be valid.
      throw badRequest('api.user.create_user.signup_link_invalid.app_error', 'The signup link does not appear to be valid.');
    }
    if (!inviteId) throw badRequest('api.team.add_user_to_team.missing_parameter.app_error', 'Parameter required to add user to team.');
    return teamMemberView(await this.teams.joinByInviteId(inviteId, s));
  }

  @Get(':team_id')
  async get(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const team = await this.teams.get(urlId(teamId, 'team_id'));
    await this.teams.requireViewable(s, team);
    return this.views.one(s, team);
  }

  @Put(':team_id')
  async update(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const b = bodyObject(body, 'team');
    if (b.id !== id) throw invalidParam('id');
    await this.permissions.requireTeam(s, id, 'manage_team');
    const c = teamChanges(b);
    const team = await this.teams.update(id, {
      display_name: c.display_name ?? '',
      description: c.description ?? '',
      company_name: c.company_name ?? '',
      allowed_domains: c.allowed_domains ?? '',
      allow_open_invite: c.allow_open_invite ?? false,
      last_team_icon_update: c.last_team_icon_update ?? 0,
      group_constrained: c.group_constrained,
    });
    return this.views.one(s, team);
  }

  @Delete(':team_id')
  async delete(@Param('team_id') teamId: string, @Query('permanent') permanent: string | undefined, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'manage_team');
    if (boolParam(permanent)) await this.teams.deletePermanently(id);
    else await this.teams.archive(id);
    return OK;
  }

  @Put(':team_id/patch')
  async patch(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const changes = teamChanges(bodyObject(body, 'team'));
    await this.permissions.requireTeam(s, id, 'manage_team');
    return this.views.one(s, await this.teams.patch(id, changes));
  }

  @Post(':team_id/restore')
  async restore(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'manage_team');
    return teamView(await this.teams.restore(id));
  }

  @Put(':team_id/privacy')
  async privacy(@Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const privacy = optional<string>(bodyObject(body), 'privacy', 'string');
    if (privacy !== 'O' && privacy !== 'I') throw invalidParam('privacy');
    await this.permissions.requireTeam(s, id, 'manage_team');
    return teamView(await this.teams.setPrivacy(id, privacy as TeamType));
  }

  @Post(':team_id/regenerate_invite_id')
  async regenerateInviteId(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'manage_team');
    return this.views.one(s, await this.teams.regenerateInviteId(id), { hideEmailUnlessAdmin: true });
  }

  @Get(':team_id/stats')
  async stats(@Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'view_team');
    return this.teams.stats(id);
  }

  // ---- members -----------------------------------------------------------------------------

  @Get(':team_id/members')
  async listMembers(@Param('team_id') teamId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    await this.permissions.requireTeam(s, id, 'view_team');
    const { page, perPage } = pagination(q);
    const rows = await this.members.list(id, page, perPage, { sortByUsername: q.sort === 'Username', excludeDeletedUsers: boolParam(q.exclude_deleted_users) });
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
    const results = await this.teams.addMembers(id, userIds, s, Boolean(graceful));
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
    await this.permissions.requireTeam(s, id, 'view_team');
    return (await this.members.byUserIds(id, userIds)).map(teamMemberView);
  }

  @Get(':team_id/members/:user_id')
  async member(@Param('team_id') teamId: string, @Param('user_id') userId: string, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const uid = urlUserId(userId, s);
    await this.permissions.requireTeam(s, id, 'view_team');
    return teamMemberView(await this.membership.get(id, uid));
  }

  @Delete(':team_id/members/:user_id')
  async removeMember(@Param('team_id') teamId: string, @Param('user_id') userId: string, @CurrentSession() s: Session) {
    await this.teams.removeMember(urlId(teamId, 'team_id'), urlUserId(userId, s), s);
    return OK;
  }

  @Put(':team_id/members/:user_id/roles')
  async updateRoles(@Param('team_id') teamId: string, @Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const uid = urlUserId(userId, s);
    const roles = rolesBody(body, 'team_member_roles');
    await this.permissions.requireTeam(s, id, 'manage_team_roles');
    await this.membership.updateRoles(id, uid, roles);
    return OK;
  }

  @Put(':team_id/members/:user_id/schemeRoles')
  async updateSchemeRoles(@Param('team_id') teamId: string, @Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(teamId, 'team_id');
    const uid = urlUserId(userId, s);
    const flags = schemeRolesBody(body);
    await this.permissions.requireTeam(s, id, 'manage_team_roles');
    await this.membership.updateSchemeRoles(id, uid, flags);
    return OK;
  }
}
