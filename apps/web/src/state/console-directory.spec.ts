import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import type { UserProfile } from '@mattermost/types/users';
import { describe, expect, it } from 'vitest';
import {
  hasSystemAdminRole,
  initialDirectory,
  listed,
  listedMembers,
  receivedChannelResults,
  receivedConsoleUser,
  receivedMembers,
  receivedTeamResults,
  receivedUserResults,
  removedMember,
  withSystemAdmin,
} from './console-directory';

const user = (id: string, extra: Partial<UserProfile> = {}) => ({ id, username: id, roles: 'system_user', delete_at: 0, ...extra }) as UserProfile;

describe('console directory', () => {
  it("lists a search's users in the server's order and updates one in place", () => {
    let s = receivedUserResults(initialDirectory, [user('b'), user('a')]);
    expect(listed(s.userResults, s.users)?.map((u) => u.id)).toEqual(['b', 'a']);
    s = receivedConsoleUser(s, user('a', { delete_at: 5 }));
    expect(listed(s.userResults, s.users)?.map((u) => u.delete_at)).toEqual([0, 5]);
    expect(listed(undefined, s.users)).toBeUndefined();
  });

  it("lists teams, and a team's channels once each by display name", () => {
    const s = receivedTeamResults(initialDirectory, [{ id: 't1', display_name: 'One' } as Team]);
    expect(s.teamResults).toEqual(['t1']);
    const c = (id: string, display_name: string) => ({ id, display_name, name: id }) as Channel;
    const withChannels = receivedChannelResults(s, 't1', [c('z', 'Zeta'), c('a', 'Alpha'), c('z', 'Zeta')]);
    expect(withChannels.channelResults.t1).toEqual(['a', 'z']);
  });

  it('keeps members (who and roles) and drops a removed one', () => {
    let s = receivedMembers(initialDirectory, 'ch', [
      { user_id: 'a', roles: 'channel_user', msg_count: 3 } as never,
      { user_id: 'b', roles: 'channel_user channel_admin' },
    ]);
    expect(s.members.ch).toEqual([
      { user_id: 'a', roles: 'channel_user' },
      { user_id: 'b', roles: 'channel_user channel_admin' },
    ]);
    s = { ...s, users: { b: user('b', { username: 'bob' }) } };
    expect(listedMembers(s, 'ch')).toEqual([
      { userId: 'b', name: '@bob', roles: 'channel_user channel_admin' },
      { userId: 'a', name: 'a', roles: 'channel_user' },
    ]);
    expect(listedMembers(s, 'none')).toBeUndefined();
    s = removedMember(s, 'ch', 'a');
    expect(s.members.ch?.map((m) => m.user_id)).toEqual(['b']);
    expect(removedMember(s, 'other', 'a')).toBe(s);
  });

  it('makes the roles string for system admins and members, keeping other roles', () => {
    expect(withSystemAdmin('system_user', true)).toBe('system_user system_admin');
    expect(withSystemAdmin('system_user system_admin', false)).toBe('system_user');
    expect(withSystemAdmin('system_admin system_user custom_role', false)).toBe('system_user custom_role');
    expect(hasSystemAdminRole('system_user system_admin')).toBe(true);
    expect(hasSystemAdminRole('system_user')).toBe(false);
  });
});
