import type { Team } from '@mattermost/types/teams';
import { describe, expect, it } from 'vitest';
import { defaultTeam, receivedMyTeams, teamNameFrom } from './teams';

describe('teams', () => {
  it('opens the first team by display name and leaves out deleted teams', () => {
    const teams = receivedMyTeams({ loaded: false, byId: {} }, [
      { id: '1', name: 'zeta', display_name: 'Zeta', delete_at: 0 } as Team,
      { id: '2', name: 'alpha', display_name: 'Alpha', delete_at: 5 } as Team,
      { id: '3', name: 'beta', display_name: 'beta', delete_at: 0 } as Team,
    ]);
    expect(defaultTeam(teams)?.name).toBe('beta');
    expect(defaultTeam({ loaded: true, byId: {} })).toBeUndefined();
  });

  it('suggests a URL name from a display name', () => {
    expect(teamNameFrom('Web Test')).toBe('web-test');
    expect(teamNameFrom('  Café  Crème!! ')).toBe('cafe-creme');
    expect(teamNameFrom('x'.repeat(80))).toHaveLength(64);
    expect(teamNameFrom('!')).toMatch(/^team-[a-z0-9]+$/);
  });
});
