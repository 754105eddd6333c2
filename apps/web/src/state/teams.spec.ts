import type { Team } from '@mattermost/types/teams';
import { describe, expect, it } from 'vitest';
import { defaultTeam, initialTeams, joinableTeams, receivedMyTeams, receivedTeamUnreads, teamInitials, teamNameFrom } from './teams';

describe('teams', () => {
  it('opens the first team by display name and leaves out deleted teams', () => {
    const teams = receivedMyTeams(initialTeams, [
      { id: '1', name: 'zeta', display_name: 'Zeta', delete_at: 0 } as Team,
      { id: '2', name: 'alpha', display_name: 'Alpha', delete_at: 5 } as Team,
      { id: '3', name: 'beta', display_name: 'beta', delete_at: 0 } as Team,
    ]);
    expect(defaultTeam(teams)?.name).toBe('beta');
    expect(defaultTeam({ ...initialTeams, loaded: true })).toBeUndefined();
  });

  it('suggests a URL name from a display name', () => {
    expect(teamNameFrom('Web Test')).toBe('web-test');
    expect(teamNameFrom('  Café  Crème!! ')).toBe('cafe-creme');
    expect(teamNameFrom('x'.repeat(80))).toHaveLength(64);
    expect(teamNameFrom('!')).toMatch(/^team-[a-z0-9]+$/);
  });

  it('reads the team unreads with and without collapsed threads', () => {
    const unread = { team_id: 't', msg_count: 3, mention_count: 1, msg_count_root: 0, mention_count_root: 0, thread_count: 0, thread_mention_count: 0 };
    expect(receivedTeamUnreads(initialTeams, [unread], false).unreads.t).toEqual({ unread: true, mentions: 1 });
    // Only replies were unread: with collapsed threads they live in threads already read.
    expect(receivedTeamUnreads(initialTeams, [unread], true).unreads.t).toEqual({ unread: false, mentions: 0 });
    expect(receivedTeamUnreads(initialTeams, [{ ...unread, thread_count: 2, thread_mention_count: 1 }], true).unreads.t).toEqual({ unread: true, mentions: 1 });
  });

  it('offers the listed teams one is not on, and draws a team by its initials', () => {
    const mine = receivedMyTeams(initialTeams, [{ id: '1', name: 'a', display_name: 'A', delete_at: 0 } as Team]);
    const listed = [
      { id: '1', display_name: 'A' },
      { id: '3', display_name: 'Zed' },
      { id: '2', display_name: 'Bee' },
    ] as Team[];
    expect(joinableTeams(mine, listed).map((t) => t.id)).toEqual(['2', '3']);
    expect(teamInitials({ display_name: 'web test', name: 'web-test' })).toBe('We');
    expect(teamInitials({ display_name: '  ', name: 'x9' })).toBe('X9');
    expect(teamInitials({ display_name: '🎉', name: '' })).toBe('?');
  });
});
