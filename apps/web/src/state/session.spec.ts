import type { UserProfile } from '@mattermost/types/users';
import { describe, expect, it } from 'vitest';
import { initialAppState, signedOutState } from './app-state';
import { currentUserId, isMfaRequired, signedIn, userIdFromCookie } from './session';
import { receivedProfiles } from './users';

describe('session', () => {
  it('reads the user id of the MMUSERID cookie', () => {
    expect(userIdFromCookie('MMCSRF=abc; MMUSERID=u1234; other=x')).toBe('u1234');
    expect(userIdFromCookie('MMCSRF=abc')).toBe('');
    expect(userIdFromCookie('')).toBe('');
  });

  it('knows the error ids that ask for an MFA code', () => {
    expect(isMfaRequired('mfa.validate_token.authenticate.app_error')).toBe(true);
    expect(isMfaRequired('api.user.check_user_mfa.bad_code.app_error')).toBe(false);
    expect(isMfaRequired(undefined)).toBe(false);
  });

  it('forgets everything of the user on sign-out but the route and the public config', () => {
    const state = {
      ...initialAppState({ screen: 'channel', team: 'acme', channel: 'town-square' }),
      session: signedIn('u1'),
      config: { loaded: true, client: { SiteName: 'Chat' } },
      users: receivedProfiles({ profiles: {} }, [{ id: 'u1', username: 'me' } as UserProfile]),
    };
    const out = signedOutState(state, 'expired');
    expect(out.session).toEqual({ status: 'signed-out', reason: 'expired' });
    expect(currentUserId(out.session)).toBe('');
    expect(out.users.profiles).toEqual({});
    expect(out.route).toBe(state.route);
    expect(out.config).toBe(state.config);
  });
});
