import { describe, expect, it } from 'vitest';
import { isReservedTeamName, isValidTeamName, teamView, validateTeam } from './team.model.js';

const base = { id: '', name: 'my-team', display_name: 'My Team', description: '', email: '', type: 'O' as const, company_name: '', allowed_domains: '' };

describe('team names', () => {
  it('accepts 2–64 lowercase letters, digits and dashes, not starting or ending with a dash', () => {
    for (const ok of ['ab', 'my-team', 'team1', '1team', 'a-b-c']) expect(isValidTeamName(ok)).toBe(true);
    for (const bad of ['a', '', 'My-Team', '-team', 'team-', 'te am', 'team_1', 'tëam']) expect(isValidTeamName(bad)).toBe(false);
  });

  it('reserves names starting with web app routes', () => {
    expect(isReservedTeamName('api')).toBe(true);
    expect(isReservedTeamName('admin-team')).toBe(true);
    expect(isReservedTeamName('Signup')).toBe(true);
    expect(isReservedTeamName('my-admin')).toBe(false);
  });

  it('validates a team with Mattermost’s error ids', () => {
    expect(() => validateTeam(base)).not.toThrow();
    const id = (t: Partial<typeof base>) => {
      try {
        validateTeam({ ...base, ...t });
      } catch (err: any) {
        return err.id;
      }
      return 'valid';
    };
    expect(id({ name: 'Bad' })).toBe('model.team.is_valid.characters.app_error');
    expect(id({ name: 'login' })).toBe('model.team.is_valid.reserved.app_error');
    expect(id({ name: 'x'.repeat(65) })).toBe('model.team.is_valid.url.app_error');
    expect(id({ display_name: '' })).toBe('model.team.is_valid.name.app_error');
    expect(id({ display_name: 'é'.repeat(64) })).toBe('valid');
    expect(id({ type: 'X' as any })).toBe('model.team.is_valid.type.app_error');
    expect(id({ description: 'x'.repeat(256) })).toBe('model.team.is_valid.description.app_error');
  });
});

describe('team views', () => {
  const row = {
    ...base,
    id: 't'.repeat(26),
    create_at: 1,
    update_at: 2,
    delete_at: 0,
    email: 'owner@example.com',
    invite_id: 'i'.repeat(26),
    allow_open_invite: true,
    last_team_icon_update: 0,
    scheme_id: null,
    group_constrained: false,
  };

  it('withholds the invite id and email as asked, and omits an unset icon time', () => {
    expect(teamView(row)).toMatchObject({ invite_id: row.invite_id, email: row.email });
    expect(teamView(row, { inviteId: false, email: false })).toMatchObject({ invite_id: '', email: '' });
    expect(teamView(row)).not.toHaveProperty('last_team_icon_update');
    expect(teamView({ ...row, last_team_icon_update: 5 })).toHaveProperty('last_team_icon_update', 5);
  });
});
