import type { UserProfile } from '@mattermost/types/users';
import { describe, expect, it } from 'vitest';
import { missingProfileIds, receivedProfiles } from './users';

describe('users', () => {
  it('lists the profiles still to fetch, once each', () => {
    const users = receivedProfiles({ profiles: {} }, [{ id: 'a' } as UserProfile]);
    expect(missingProfileIds(users, ['a', 'b', 'b', '', 'c'])).toEqual(['b', 'c']);
  });
});
