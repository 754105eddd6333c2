import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigService } from '#config';
import { LocalInvalidationBus } from '#realtime';
import { RecordingPublisher } from '#testing';
import type { SessionsService } from '../auth/sessions.service.js';
import { ChannelsTestbed } from '../channels/in-memory-channels.js';
import type { Session } from '../common/session.js';
import type { TeamMembersRepository } from '../membership/team-members.repository.js';
import type { TeamsService } from '../teams/teams.service.js';
import type { UserRow } from './user.model.js';
import { UserDirectoryService } from './user-directory.service.js';
import { termColumns, UserListFilter, UsersRepository } from './users.repository.js';
import type { LoginService } from './login.service.js';
import { testUserRow } from './user.fixtures.js';
import { UsersService } from './users.service.js';

/**
 * The users table in memory with UsersRepository.list's answers: membership filters over the
 * testbed's team and channel members, and the term matched (as a prefix, case-blind) against the
 * repository's own choice of columns.
 */
class MemoryUsers {
  readonly rows = new Map<string, UserRow>();

  constructor(private readonly bed: ChannelsTestbed) {}

  private onTeam(userId: string, teamId?: string): boolean {
    return [...this.bed.teamMembers.rows.values()].some((m) => m.user_id === userId && m.delete_at === 0 && (teamId === undefined || m.team_id === teamId));
  }

  private inChannel(userId: string, channelId: string): boolean {
    return [...this.bed.channelMembers.rows.values()].some((m) => m.user_id === userId && m.channel_id === channelId);
  }

  private matches(u: UserRow, f: UserListFilter): boolean {
    const term = f.term?.toLowerCase().replace(/^@/, '');
    return (
      (!f.inTeam || this.onTeam(u.id, f.inTeam)) &&
      (!f.notInTeam || !this.onTeam(u.id, f.notInTeam)) &&
      (!f.withoutTeam || !this.onTeam(u.id)) &&
      (!f.inChannel || this.inChannel(u.id, f.inChannel)) &&
      (!f.notInChannel || !this.inChannel(u.id, f.notInChannel)) &&
      (!f.active || u.delete_at === 0) &&
      (!term ||
        termColumns(f.termFields).some((c) =>
          String(u[c as keyof UserRow])
            .toLowerCase()
            .startsWith(term),
        ))
    );
  }

  private members(): Array<{ user_id: string; channel_id: string }> {
    return [...this.bed.channelMembers.rows.values()];
  }

  async knownUserIds(userId: string): Promise<string[]> {
    const mine = new Set(
      this.members()
        .filter((m) => m.user_id === userId)
        .map((m) => m.channel_id),
    );
    return [
      ...new Set(
        this.members()
          .filter((m) => mine.has(m.channel_id) && m.user_id !== userId)
          .map((m) => m.user_id),
      ),
    ];
  }

  async inGroupChannelsOf(userId: string, channelIds: string[]): Promise<Array<UserRow & { channel_id: string }>> {
    const groups = channelIds.filter((id) => this.bed.channels.rows.get(id)?.type === 'G' && this.inChannel(userId, id));
    return this.members()
      .filter((m) => groups.includes(m.channel_id) && m.user_id !== userId)
      .map((m) => ({ ...structuredClone(this.rows.get(m.user_id)!), channel_id: m.channel_id }))
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async countActive(visibleTo?: { viewerId: string; teamIds: string[] }): Promise<number> {
    const sharesChannel = (id: string) => this.members().some((m) => m.user_id === id && this.inChannel(visibleTo!.viewerId, m.channel_id));
    return [...this.rows.values()].filter(
      (u) => u.delete_at === 0 && (!visibleTo || visibleTo.teamIds.some((t) => this.onTeam(u.id, t)) || sharesChannel(u.id)),
    ).length;
  }

  async list(f: UserListFilter, page: number, perPage: number): Promise<UserRow[]> {
    return [...this.rows.values()]
      .filter((u) => this.matches(u, f))
      .sort((a, b) => a.username.localeCompare(b.username))
      .slice(page * perPage, (page + 1) * perPage)
      .map((u) => structuredClone(u));
  }
}

function userRow(id: string, username: string, roles: string, over: Partial<UserRow> = {}): UserRow {
  return testUserRow(username, { id, roles, ...over });
}

/**
 * One team with a private channel (alice, bob) and a DM (alice, bob); dave is on the team but in
 * neither; carol is on no team and has a DM with eve; zed (Zelda Hidden, secret-mail@…) is on the
 * team; admin is a system admin on no team.
 */
function world() {
  const bed = new ChannelsTestbed();
  const users = new MemoryUsers(bed);
  const service = new UserDirectoryService(
    users as unknown as UsersRepository,
    new UsersService(
      users as unknown as UsersRepository,
      bed.configService,
      undefined as unknown as SessionsService,
      bed.permissions,
      undefined as unknown as TeamsService,
      new RecordingPublisher(),
      new LocalInvalidationBus(),
      undefined as unknown as LoginService,
      undefined as never, // team invitations: no sign-up with an invitation here
      undefined as never, // verification links: no RequireEmailVerification here
    ),
    bed.permissions,
    bed.configService as ConfigService,
    bed.teamMembers as unknown as TeamMembersRepository,
  );
  const person = (name: string, roles = 'system_user', over: Partial<UserRow> = {}) => {
    const { user, session } = bed.user(roles);
    users.rows.set(user.id, userRow(user.id, name, roles, over));
    return { id: user.id, session };
  };
  const admin = person('admin', 'system_user system_admin');
  const alice = person('alice');
  const bob = person('bob');
  const dave = person('dave');
  const carol = person('carol');
  const eve = person('eve');
  const zed = person('zed', 'system_user', { first_name: 'Zelda', last_name: 'Hidden', email: 'secret-mail@example.com' });
  const team = bed.team();
  for (const u of [alice, bob, dave, zed]) bed.joinTeam(team, u.id);
  const priv = bed.channel(team, 'P');
  const dm = bed.channel('', 'D');
  const carolsDm = bed.channel('', 'D');
  for (const u of [alice, bob]) {
    bed.joinChannel(priv, u.id);
    bed.joinChannel(dm, u.id);
  }
  for (const u of [carol, eve]) bed.joinChannel(carolsDm, u.id);
  return { bed, service, config: bed.config, team, priv: priv.id, dm: dm.id, carolsDm: carolsDm.id, admin, alice, bob, dave, carol, eve, zed };
}

type World = ReturnType<typeof world>;
const names = (list: Array<{ username: string }>) => list.map((u) => u.username);
const denied = { statusCode: 403, id: 'api.context.permissions.app_error' };

describe('UserDirectoryService: membership filters need the right to see the membership', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  it("refuses a private channel's members, in or out, to a team member outside it", async () => {
    const { service, dave, team, priv } = w;
    await expect(service.search(dave.session, { term: 'a', inTeam: team, notInChannel: priv }, 100)).rejects.toMatchObject(denied);
    await expect(service.search(dave.session, { term: 'a', inChannel: priv }, 100)).rejects.toMatchObject(denied);
    await expect(service.list(dave.session, { inTeam: team, notInChannel: priv }, 0, 100)).rejects.toMatchObject(denied);
    await expect(service.list(dave.session, { inChannel: priv }, 0, 100)).rejects.toMatchObject(denied);
    // Its members may ask: the team's others.
    expect(names(await w.service.list(w.bob.session, { inTeam: team, notInChannel: priv }, 0, 100))).toEqual(['dave', 'zed']);
  });

  it("refuses another pair's DM as a filter", async () => {
    const { service, dave, dm } = w;
    await expect(service.search(dave.session, { term: 'a', inChannel: dm }, 100)).rejects.toMatchObject(denied);
    await expect(service.autocomplete(dave.session, 'a', { inChannel: dm, inTeam: w.team }, 100)).rejects.toMatchObject(denied);
  });

  it('autocomplete: one own DM does not open a team the caller is not on', async () => {
    const { service, carol, carolsDm, team } = w;
    await expect(service.autocomplete(carol.session, '', { inChannel: carolsDm, inTeam: team }, 100)).rejects.toMatchObject({
      statusCode: 403,
      id: 'api.context.permissions.app_error',
    });
    await expect(service.autocomplete(carol.session, '', { inTeam: team }, 100)).rejects.toMatchObject(denied);
    // On the team, the same question lists its members outside the DM.
    const alice = await service.autocomplete(w.alice.session, '', { inChannel: w.dm, inTeam: team }, 100);
    expect(names(alice.users)).toEqual(['alice', 'bob']);
    expect(names(alice.out_of_channel!)).toEqual(['dave', 'zed']);
  });

  it('autocomplete in a channel needs a team (400, where Mattermost answers 500)', async () => {
    await expect(w.service.autocomplete(w.alice.session, '', { inChannel: w.dm }, 100)).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.user.autocomplete_users.missing_team_id.app_error',
    });
  });

  it('not_in_team needs view_team on that team, as in_team does', async () => {
    const { service, carol, team } = w;
    await expect(service.search(carol.session, { term: 'a', notInTeam: team }, 100)).rejects.toMatchObject(denied);
    await expect(service.list(carol.session, { notInTeam: team }, 0, 100)).rejects.toMatchObject(denied);
    await expect(service.search(carol.session, { term: 'a', inTeam: team }, 100)).rejects.toMatchObject(denied);
    expect(names(await service.search(w.dave.session, { term: 'e', notInTeam: team }, 100))).toEqual(['eve']);
  });

  it('without_team needs list_users_without_team (system admins)', async () => {
    const { service, dave, admin } = w;
    const withoutTeam = { statusCode: 403, id: 'api.context.permissions.app_error' };
    await expect(service.search(dave.session, { term: 'c', withoutTeam: true }, 100)).rejects.toMatchObject(withoutTeam);
    await expect(service.list(dave.session, { withoutTeam: true }, 0, 100)).rejects.toMatchObject(withoutTeam);
    expect(names(await service.search(admin.session, { term: 'c', withoutTeam: true }, 100))).toEqual(['carol']);
    expect(names(await service.list(admin.session, { withoutTeam: true }, 0, 100))).toEqual(['admin', 'carol', 'eve']);
  });
});

describe('UserDirectoryService: a term matches only the fields the caller may see', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  const search = (s: Session, term: string) => w.service.search(s, { term }, 100).then(names);
  const autocomplete = (s: Session, term: string) => w.service.autocomplete(s, term, {}, 100).then((r) => names(r.users));

  it('with ShowEmailAddress and ShowFullName off, users find no one by a hidden email or name', async () => {
    Object.assign(w.config.PrivacySettings, { ShowEmailAddress: false, ShowFullName: false });
    for (const term of ['secret', 'zel', 'hid']) {
      expect(await search(w.dave.session, term)).toEqual([]);
      expect(await autocomplete(w.dave.session, term)).toEqual([]);
    }
    // Username and nickname stay searchable.
    expect(await search(w.dave.session, 'ze')).toEqual(['zed']);
  });

  it('system admins match email and full name whatever the settings; autocomplete never matches email', async () => {
    Object.assign(w.config.PrivacySettings, { ShowEmailAddress: false, ShowFullName: false });
    expect(await search(w.admin.session, 'secret')).toEqual(['zed']);
    expect(await search(w.admin.session, 'zel')).toEqual(['zed']);
    expect(await autocomplete(w.admin.session, 'hid')).toEqual(['zed']);
    expect(await autocomplete(w.admin.session, 'secret')).toEqual([]);
  });

  it('with the settings on, everyone matches what everyone sees', async () => {
    Object.assign(w.config.PrivacySettings, { ShowEmailAddress: true, ShowFullName: true });
    expect(await search(w.dave.session, 'secret')).toEqual(['zed']);
    expect(await search(w.dave.session, 'hid')).toEqual(['zed']);
    expect(await autocomplete(w.dave.session, 'zel')).toEqual(['zed']);
    expect(await autocomplete(w.dave.session, 'secret')).toEqual([]);
  });

  it('each setting opens only its own field', async () => {
    Object.assign(w.config.PrivacySettings, { ShowEmailAddress: true, ShowFullName: false });
    expect(await search(w.dave.session, 'secret')).toEqual(['zed']);
    expect(await search(w.dave.session, 'zel')).toEqual([]);
    Object.assign(w.config.PrivacySettings, { ShowEmailAddress: false, ShowFullName: true });
    expect(await search(w.dave.session, 'secret')).toEqual([]);
    expect(await search(w.dave.session, 'zel')).toEqual(['zed']);
  });
});

describe('UserDirectoryService: known users, group channel profiles and user counts', () => {
  let w: World;
  beforeEach(() => {
    w = world();
  });

  it('knows exactly who shares a channel with the caller, never the caller', async () => {
    expect(await w.service.known(w.alice.session)).toEqual([w.bob.id]);
    expect(await w.service.known(w.carol.session)).toEqual([w.eve.id]);
    expect(await w.service.known(w.dave.session)).toEqual([]);
  });

  it("answers a group message's other members to its members, and refuses it to others", async () => {
    const gm = w.bed.channel('', 'G');
    for (const u of [w.alice, w.bob, w.dave]) w.bed.joinChannel(gm, u.id);
    const answer = await w.service.inGroupChannels(w.alice.session, [gm.id]);
    expect(Object.keys(answer)).toEqual([gm.id]);
    expect(names(answer[gm.id])).toEqual(['bob', 'dave']);
    // Sanitized as any other profile: no password, no notify props.
    expect(answer[gm.id][0]).not.toHaveProperty('password');
    await expect(w.service.inGroupChannels(w.carol.session, [gm.id])).rejects.toMatchObject(denied);
    // A channel that is not a group message is readable but has nothing to list.
    expect(await w.service.inGroupChannels(w.alice.session, [w.priv])).toEqual({});
  });

  it('counts every active account for users with view_members, only visible ones for guests', async () => {
    expect(await w.service.stats(w.dave.session)).toEqual({ total_users_count: 7 });
    const users = (w.service as unknown as { repo: MemoryUsers }).repo;
    const { user, session } = w.bed.user('system_guest');
    users.rows.set(user.id, testUserRow('gus', { id: user.id, roles: 'system_guest' }));
    expect(await w.service.stats(session)).toEqual({ total_users_count: 0 });
    // In the private channel, the guest sees its members (itself included), not the whole team.
    w.bed.joinTeam(w.team, user.id, 'guest');
    w.bed.joinChannel(w.bed.channels.rows.get(w.priv)!, user.id);
    expect(await w.service.stats(session)).toEqual({ total_users_count: 3 });
  });

  it('leaves deactivated accounts out of the count', async () => {
    const users = (w.service as unknown as { repo: MemoryUsers }).repo;
    users.rows.get(w.zed.id)!.delete_at = 5;
    expect(await w.service.stats(w.admin.session)).toEqual({ total_users_count: 6 });
  });
});
