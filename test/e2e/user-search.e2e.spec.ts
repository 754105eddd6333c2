/**
 * Finding users must not tell what the caller may not see: who is in a private channel or a team
 * it is not on, who is on no team, or a hidden email or full name through what a search matches.
 */
import type { Channel } from '@mattermost/types/channels';
import type { UserProfile } from '@mattermost/types/users';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectClientError, type NewUser, startServer, type TestServer } from '#testing';
import { type Cast, PERMISSION, signUpCast, teamWithChannels, type TeamWithChannels } from './fixtures.js';

let server: TestServer;
let cast: Cast;
let parts: TeamWithChannels;
/** carol (on no team) <-> dave (on the team). */
let carolsDm: Channel;
/** On the team; first name Zelda, last name Hidden, email secret-mail@example.com. */
let zed: NewUser;

beforeAll(async () => {
  server = await startServer({ MM_PRIVACYSETTINGS_SHOWEMAILADDRESS: 'false', MM_PRIVACYSETTINGS_SHOWFULLNAME: 'false' });
  cast = await signUpCast(server);
  parts = await teamWithChannels(cast, {
    team: { name: 'finders', display_name: 'Finders' },
    pub: { name: 'lobby', display_name: 'Lobby' },
    priv: { name: 'backroom', display_name: 'Backroom' },
  });
  carolsDm = await cast.carol.client.createDirectChannel([cast.carol.user.id, cast.dave.user.id]);
  zed = await server.newUser({ username: 'zed' });
  await cast.alice.client.addToTeam(parts.team.id, zed.user.id);
  await cast.admin.client.patchUser({ id: zed.user.id, first_name: 'Zelda', last_name: 'Hidden', email: 'secret-mail@example.com' } as UserProfile);
});
afterAll(() => server?.stop());

const usernames = (users: UserProfile[]) => users.map((u) => u.username);

describe('membership filters', () => {
  it("refuses a private channel's non-members to a team member outside it (search not_in_channel_id)", async () => {
    const { dave, bob } = cast;
    const err = await expectClientError(() => dave.client.searchUsers('a', { team_id: parts.team.id, not_in_channel_id: parts.priv.id }));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe(PERMISSION);
    const list = await expectClientError(() => dave.client.getProfilesNotInChannel(parts.team.id, parts.priv.id, false, 0, 100));
    expect(list.status_code).toBe(403);
    // A member of the channel may ask.
    const found = await bob.client.searchUsers(dave.user.username.slice(0, 3), { team_id: parts.team.id, not_in_channel_id: parts.priv.id });
    expect(usernames(found)).toContain(dave.user.username);
  });

  it('asks for the team with not_in_channel_id, as Mattermost does', async () => {
    const err = await expectClientError(() => cast.bob.client.searchUsers('a', { not_in_channel_id: parts.priv.id }));
    expect(err.status_code).toBe(400);
    const list = await expectClientError(() => cast.bob.client.getProfilesNotInChannel('', parts.priv.id, false, 0, 100));
    expect(list.status_code).toBe(400);
  });

  it("does not let one's own DM open a team one is not on (autocomplete in_channel + in_team)", async () => {
    const { carol, dave } = cast;
    const err = await expectClientError(() => carol.client.autocompleteUsers('', parts.team.id, carolsDm.id));
    expect(err.status_code).toBe(403);
    expect(err.server_error_id).toBe(PERMISSION);
    // dave, on the team, gets the DM's members and the team's others.
    const ok = await dave.client.autocompleteUsers('', parts.team.id, carolsDm.id);
    expect(usernames(ok.users).sort()).toEqual([carol.user.username, dave.user.username].sort());
    expect(usernames(ok.out_of_channel!)).toEqual(expect.arrayContaining([cast.alice.user.username, cast.bob.user.username]));
    expect(usernames(ok.out_of_channel!)).not.toContain(carol.user.username);
  });

  it('checks not_in_team_id and in_team like team_id: view_team', async () => {
    const { carol } = cast;
    const search = await expectClientError(() => carol.client.searchUsers('a', { not_in_team_id: parts.team.id }));
    expect(search.status_code).toBe(403);
    const list = await expectClientError(() => carol.client.getProfilesNotInTeam(parts.team.id, false, 0, 100));
    expect(list.status_code).toBe(403);
    const auto = await expectClientError(() => carol.client.autocompleteUsers('', parts.team.id, ''));
    expect(auto.status_code).toBe(403);
  });

  it('keeps users on no team to system admins (without_team)', async () => {
    const { dave, admin, carol } = cast;
    const search = await expectClientError(() => dave.client.searchUsers(carol.user.username, { without_team: true }));
    expect(search.status_code).toBe(403);
    expect(search.server_error_id).toBe(PERMISSION);
    const list = await expectClientError(() => dave.client.getProfilesWithoutTeam(0, 100));
    expect(list.status_code).toBe(403);
    expect(usernames(await admin.client.searchUsers(carol.user.username, { without_team: true }))).toEqual([carol.user.username]);
    // The client sends without_team=1: the filter applies (it was taken as absent, listing everyone).
    const withoutTeam = usernames(await admin.client.getProfilesWithoutTeam(0, 100));
    expect(withoutTeam).toContain(carol.user.username);
    expect(withoutTeam).not.toContain(dave.user.username);
  });

  it("refuses a limit outside 1..1000 with 400 (a negative one was a database error's 500)", async () => {
    for (const limit of [-1, 1001]) {
      const err = await expectClientError(() => cast.dave.client.searchUsers('a', { limit }));
      expect(err.status_code).toBe(400);
      expect(err.server_error_id).toBe('api.context.invalid_body_param.app_error');
    }
  });
});

describe('hidden fields (ShowEmailAddress and ShowFullName off)', () => {
  it('finds no one by an email or a full name the caller may not see', async () => {
    const { dave } = cast;
    for (const term of ['secret-mail', 'zelda', 'hidden']) {
      expect(await dave.client.searchUsers(term, {})).toEqual([]);
      expect((await dave.client.autocompleteUsers(term, '', '')).users).toEqual([]);
    }
    // The user is there, found by username, with the hidden fields blank.
    const [found] = await dave.client.searchUsers('zed', {});
    expect(found).toMatchObject({ username: 'zed', email: '', first_name: '', last_name: '' });
  });

  it('lets system admins match them; autocomplete never matches an email', async () => {
    const { admin } = cast;
    for (const term of ['secret-mail', 'zelda', 'hidden']) expect(usernames(await admin.client.searchUsers(term, {}))).toEqual(['zed']);
    expect(usernames((await admin.client.autocompleteUsers('zelda', '', '')).users)).toEqual(['zed']);
    expect((await admin.client.autocompleteUsers('secret-mail', '', '')).users).toEqual([]);
  });
});
