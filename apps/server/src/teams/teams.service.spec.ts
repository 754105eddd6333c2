import { describe, expect, it } from 'vitest';
import { WsEvents } from '#realtime';
import { memoryDatabase } from '#testing';
import type { CategoriesService } from '../categories/categories.service.js';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import { PostsRepository } from '../posts/posts.repository.js';
import { TeamRow } from './team.model.js';
import { TeamMembershipService } from './team-membership.service.js';
import { TeamViews } from './team-views.js';
import { TeamListFilter, TeamsRepository } from './teams.repository.js';
import { TeamsService } from './teams.service.js';
import { localSession } from '../local-mode/local-session.js';
import type { ThreadMembershipsRepository } from '../threads/thread-memberships.repository.js';

const DENIED = { statusCode: 403, id: 'api.context.permissions.app_error' };

/** The teams table in memory, with the answers of TeamsRepository's SQL for what TeamsService calls. */
class MemoryTeams {
  readonly rows = new Map<string, TeamRow>();

  async insert(t: TeamRow) {
    this.rows.set(t.id, { ...t });
  }

  async byId(id: string) {
    const t = this.rows.get(id);
    return t ? { ...t } : undefined;
  }

  async byName(name: string) {
    const t = [...this.rows.values()].find((r) => r.name === name.toLowerCase());
    return t ? { ...t } : undefined;
  }

  async byInviteId(inviteId: string) {
    const t = [...this.rows.values()].find((r) => r.invite_id === inviteId);
    return t ? { ...t } : undefined;
  }

  async update(t: TeamRow) {
    this.rows.set(t.id, { ...t });
  }

  async deletePermanently(id: string) {
    this.rows.delete(id);
  }

  async list(filter: TeamListFilter) {
    return [...this.rows.values()].filter((t) => t.delete_at === 0 && (filter.allowOpenInvite === undefined || t.allow_open_invite === filter.allowOpenInvite));
  }

  async count(filter: TeamListFilter) {
    return (await this.list(filter)).length;
  }
}

function setup() {
  const teams = new MemoryTeams();
  const bed = new ChannelsTestbed((id) => teams.rows.has(id));
  const teamMembers = bed.teamMembers.asRepository();
  const membership = new TeamMembershipService(
    memoryDatabase,
    teamMembers,
    bed.membership,
    bed.defaultChannels,
    bed.permissions,
    bed.publisher,
    bed.invalidation,
    bed.configService,
    { teamLeft: async () => {} } as unknown as CategoriesService,
    { unreadByTeam: async () => [] } as unknown as ThreadMembershipsRepository,
    bed.roles,
  );
  const service = new TeamsService(
    memoryDatabase,
    teams as unknown as TeamsRepository,
    teamMembers,
    membership,
    new TeamViews(teamMembers, bed.configService, bed.roles),
    bed.defaultChannels,
    bed.channelsService,
    bed.channels.asRepository(),
    bed.users.asRepository(),
    bed.posts as unknown as PostsRepository,
    bed.permissions,
    bed.publisher,
    bed.invalidation,
    bed.configService,
  );
  return { bed, teams, service, membership };
}

/** An open team (open to invites) created by its admin, with a member and a user outside it. */
async function withTeam(open = true) {
  const ctx = setup();
  const [admin, member, outsider] = [ctx.bed.user(), ctx.bed.user(), ctx.bed.user()];
  const team = await ctx.service.create(admin.session, {
    name: `team-${admin.user.id.slice(0, 8)}`,
    display_name: 'Team',
    type: open ? 'O' : 'I',
    allow_open_invite: open,
  });
  await ctx.service.addMember(team.id, member.user.id, null);
  return { ...ctx, team, admin, member, outsider };
}

describe('TeamsService permissions', () => {
  it('creates a team with create_team: the creator is its admin and joins its default channels', async () => {
    const { bed, team, admin } = await withTeam();
    expect(await bed.teamMembers.get(team.id, admin.user.id)).toMatchObject({ scheme_admin: true, delete_at: 0 });
    const defaults = [...bed.channels.rows.values()]
      .filter((c) => c.team_id === team.id)
      .map((c) => c.name)
      .sort();
    expect(defaults).toEqual(['off-topic', 'town-square']);
    expect([...bed.channelMembers.rows.values()].filter((m) => m.user_id === admin.user.id)).toHaveLength(2);
  });

  it('creates a team for a local-mode caller (mmctl --local) with no creator and no member, as localCreateTeam', async () => {
    const { bed, service, teams } = setup();
    const team = await service.create(localSession(), { name: 'local-team', display_name: 'Local', type: 'O', email: 'Ops@Example.com' });
    expect(teams.rows.get(team.id)).toMatchObject({ name: 'local-team', email: 'ops@example.com' });
    expect([...bed.teamMembers.rows.values()].filter((m) => m.team_id === team.id)).toHaveLength(0);
    expect(
      [...bed.channels.rows.values()]
        .filter((c) => c.team_id === team.id)
        .map((c) => c.name)
        .sort(),
    ).toEqual(['off-topic', 'town-square']);
  });

  it('refuses team creation without create_team', async () => {
    const { bed, service, teams } = setup();
    const guest = bed.user('system_guest');
    await expect(service.create(guest.session, { name: 'guests-team', display_name: 'G', type: 'O' })).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.team.is_team_creation_allowed.disabled.app_error',
    });
    expect(teams.rows.size).toBe(0);
  });

  it('lets team admins (manage_team) update, patch, convert and regenerate the invite, not members or outsiders', async () => {
    const { service, team, admin, member, outsider } = await withTeam();
    const changes = { display_name: 'New', description: '', company_name: '', allowed_domains: '', allow_open_invite: true, last_team_icon_update: 0 };
    for (const caller of [member, outsider]) {
      await expect(service.update(caller.session, team.id, changes)).rejects.toMatchObject(DENIED);
      await expect(service.patch(caller.session, team.id, { description: 'x' })).rejects.toMatchObject(DENIED);
      await expect(service.setPrivacy(caller.session, team.id, 'I')).rejects.toMatchObject(DENIED);
      await expect(service.regenerateInviteId(caller.session, team.id)).rejects.toMatchObject(DENIED);
    }
    await expect(service.update(admin.session, team.id, changes)).resolves.toMatchObject({ display_name: 'New' });
    await expect(service.patch(admin.session, team.id, { description: 'd' })).resolves.toMatchObject({ description: 'd' });
    const regenerated = await service.regenerateInviteId(admin.session, team.id);
    expect(regenerated.invite_id).not.toBe(team.invite_id);
    await expect(service.setPrivacy(admin.session, team.id, 'I')).resolves.toMatchObject({ type: 'I', allow_open_invite: false });
  });

  it('checks manage_team before looking the team up (403 for members of no team, 404 for admins)', async () => {
    const { bed, service, outsider } = await withTeam();
    const sysadmin = bed.user('system_user system_admin');
    await expect(service.patch(outsider.session, 'x'.repeat(26), { description: 'x' })).rejects.toMatchObject(DENIED);
    await expect(service.patch(sysadmin.session, 'x'.repeat(26), { description: 'x' })).rejects.toMatchObject({
      statusCode: 404,
      id: 'app.team.get.find.app_error',
    });
  });

  it('archives, restores and deletes a team for team admins only; permanent deletion needs EnableAPITeamDeletion', async () => {
    const { bed, teams, service, team, admin, member } = await withTeam();
    await expect(service.delete(member.session, team.id, false)).rejects.toMatchObject(DENIED);
    await service.delete(admin.session, team.id, false);
    expect(teams.rows.get(team.id)!.delete_at).toBeGreaterThan(0);
    expect(bed.events.map((e) => e.event)).toContain(WsEvents.DeleteTeam);
    await expect(service.restore(member.session, team.id)).rejects.toMatchObject(DENIED);
    await expect(service.restore(admin.session, team.id)).resolves.toMatchObject({ delete_at: 0 });
    await expect(service.delete(member.session, team.id, true)).rejects.toMatchObject(DENIED);
    await expect(service.delete(admin.session, team.id, true)).rejects.toMatchObject({ statusCode: 401, id: 'api.user.delete_team.not_enabled.app_error' });
    bed.config.ServiceSettings.EnableAPITeamDeletion = true;
    await service.delete(admin.session, team.id, true);
    expect(teams.rows.has(team.id)).toBe(false);
    expect(bed.posts.deleted).toEqual([{ teamId: team.id }]);
  });

  it('shows invite-only teams to their members only, and lists teams by list_public_teams / list_private_teams', async () => {
    const { bed, service, team, member, outsider } = await withTeam(false);
    await expect(service.getVisible(member.session, team.id)).resolves.toMatchObject({ id: team.id });
    await expect(service.getVisible(outsider.session, team.id)).rejects.toMatchObject({ statusCode: 403 });
    expect((await service.list(outsider.session, 0, 60, true)).total_count).toBe(0);
    const sysadmin = bed.user('system_user system_admin');
    expect((await service.list(sysadmin.session, 0, 60, false)).teams.map((t) => t.id)).toEqual([team.id]);
    await expect(service.list(bed.user('system_guest').session, 0, 60, false)).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.team.get_all_teams.insufficient_permissions',
    });
  });

  it('hides the invite id from members who may not invite and shows it to the team admin', async () => {
    const { service, team, admin, outsider } = await withTeam();
    expect((await service.getVisible(admin.session, team.id)).invite_id).toBe(team.invite_id);
    expect((await service.getVisible(outsider.session, team.id)).invite_id).toBe('');
  });
});

describe('TeamsService members', () => {
  it('lets users join a team open to invites themselves (join_public_teams), not an invite-only one', async () => {
    const open = await withTeam(true);
    await expect(open.service.addMember(open.team.id, open.outsider.user.id, open.outsider.session)).resolves.toMatchObject({ user_id: open.outsider.user.id });
    const closed = await withTeam(false);
    await expect(closed.service.addMember(closed.team.id, closed.outsider.user.id, closed.outsider.session)).rejects.toMatchObject(DENIED);
    expect(await closed.bed.teamMembers.get(closed.team.id, closed.outsider.user.id)).toBeUndefined();
  });

  it('adds others with add_user_to_team (team members), not as an outsider', async () => {
    const { bed, service, team, member, outsider } = await withTeam(false);
    const newcomer = bed.user();
    await expect(service.addMember(team.id, newcomer.user.id, outsider.session)).rejects.toMatchObject(DENIED);
    await expect(service.addMembers(outsider.session, team.id, [newcomer.user.id], false)).rejects.toMatchObject(DENIED);
    await expect(service.addMember(team.id, newcomer.user.id, member.session)).resolves.toMatchObject({ user_id: newcomer.user.id });
    const [result] = await service.addMembers(member.session, team.id, [outsider.user.id], true);
    expect(result.member).toMatchObject({ user_id: outsider.user.id });
    expect(bed.events.filter((e) => e.event === WsEvents.AddedToTeam).map((e) => e.broadcast.user_id)).toContain(newcomer.user.id);
  });

  it('joins by invite id, except group-constrained teams', async () => {
    const { teams, service, team, outsider, bed } = await withTeam(false);
    await expect(service.joinByInviteId(outsider.session, team.invite_id)).resolves.toMatchObject({ user_id: outsider.user.id });
    teams.rows.get(team.id)!.group_constrained = true;
    const late = bed.user();
    await expect(service.joinByInviteId(late.session, team.invite_id)).rejects.toMatchObject({
      statusCode: 403,
      id: 'app.team.invite_id.group_constrained.error',
    });
    await expect(service.joinByInviteId(late.session, 'nope')).rejects.toMatchObject({ statusCode: 404 });
  });

  it('lets members leave, and removes others only with remove_user_from_team (team admins)', async () => {
    const { bed, service, team, admin, member, outsider } = await withTeam();
    await service.addMember(team.id, outsider.user.id, null);
    await expect(service.removeMember(member.session, team.id, outsider.user.id)).rejects.toMatchObject(DENIED);
    await service.removeMember(outsider.session, team.id, outsider.user.id);
    await service.removeMember(admin.session, team.id, member.user.id);
    for (const userId of [member.user.id, outsider.user.id]) {
      expect((await bed.teamMembers.get(team.id, userId))!.delete_at).toBeGreaterThan(0);
      expect([...bed.channelMembers.rows.values()].filter((m) => m.user_id === userId)).toHaveLength(0);
    }
  });

  it('changes member roles with manage_team_roles (team admins) only', async () => {
    const { membership, team, admin, member } = await withTeam();
    await expect(membership.updateRoles(member.session, team.id, member.user.id, 'team_user team_admin')).rejects.toMatchObject(DENIED);
    await expect(
      membership.updateSchemeRoles(member.session, team.id, member.user.id, { scheme_user: true, scheme_admin: true, scheme_guest: false }),
    ).rejects.toMatchObject(DENIED);
    await expect(membership.updateRoles(admin.session, team.id, member.user.id, 'team_user team_admin')).resolves.toMatchObject({ scheme_admin: true });
  });

  it('shows members to those who may view the team', async () => {
    const { membership, team, member, outsider } = await withTeam();
    await expect(membership.list(member.session, team.id, 0, 60, {})).resolves.toHaveLength(2);
    await expect(membership.list(outsider.session, team.id, 0, 60, {})).rejects.toMatchObject(DENIED);
    await expect(membership.getMember(outsider.session, team.id, member.user.id)).rejects.toMatchObject(DENIED);
  });
});
