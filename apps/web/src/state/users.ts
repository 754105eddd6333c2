/** Profiles of the people the app has met (authors, DM partners, the signed-in user). */
import type { UserProfile } from '@mattermost/types/users';

export interface UsersState {
  profiles: Record<string, UserProfile>;
}

export const initialUsers: UsersState = { profiles: {} };

export function receivedProfiles(state: UsersState, users: UserProfile[]): UsersState {
  if (users.length === 0) return state;
  const profiles = { ...state.profiles };
  for (const user of users) profiles[user.id] = user;
  return { profiles };
}

/** The ids among `ids` without a profile yet, once each (what to fetch with getProfilesByIds). */
export function missingProfileIds(state: UsersState, ids: Iterable<string>): string[] {
  return [...new Set(ids)].filter((id) => id && !state.profiles[id]);
}

/** How a person is named in the app for now: their username (TeammateNameDisplay comes later). */
export function displayName(user: UserProfile | undefined, fallback = 'Someone'): string {
  return user?.username ?? fallback;
}
