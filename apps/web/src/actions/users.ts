/** Profiles: fetched once per person, in one call per batch of ids. */
import { client } from '../api/client';
import { store, update } from '../state/store';
import { missingProfileIds, receivedProfiles } from '../state/users';

/** Fetches the profiles among `ids` the app does not have yet (authors, DM partners). */
export async function loadMissingProfiles(ids: Iterable<string>): Promise<void> {
  const missing = missingProfileIds(store.get().users, ids);
  if (missing.length === 0) return;
  const users = await client.getProfilesByIds(missing);
  update('users', (s) => receivedProfiles(s, users));
}
