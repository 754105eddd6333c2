/**
 * The signed-in user's own profile: names and username (PUT /users/{id}/patch), email (with the
 * current password, as Mattermost's web app sends it), notification settings (notify_props), and
 * the profile picture (POST|DELETE /users/{id}/image).
 */
import type { UserNotifyProps, UserProfile } from '@mattermost/types/users';
import { client } from '../api/client';
import { currentUser } from '../state/selectors';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';

function me(): UserProfile {
  const user = currentUser(store.get());
  if (!user) throw new Error('Not signed in.');
  return user;
}

async function patch(fields: Partial<UserProfile> & { password?: string }): Promise<void> {
  const user = await client.patchUser({ ...fields, id: me().id } as UserProfile);
  update('users', (s) => receivedProfiles(s, [user]));
}

export const updateNames = (fields: Pick<UserProfile, 'first_name' | 'last_name' | 'nickname' | 'username'>): Promise<void> =>
  patch({ ...fields, username: fields.username.trim().toLowerCase() });

export const changeEmail = (email: string, password: string): Promise<void> => patch({ email: email.trim(), password });

/** Changes some notification settings, keeping the others as they are. */
export const updateNotifyProps = (props: Partial<UserNotifyProps>): Promise<void> => patch({ notify_props: { ...me().notify_props, ...props } });

export async function uploadPicture(file: File): Promise<void> {
  await client.uploadProfileImage(me().id, file);
  const user = await client.getMe();
  update('users', (s) => receivedProfiles(s, [user]));
}

export async function removePicture(): Promise<void> {
  await client.setDefaultProfileImage(me().id);
  const user = await client.getMe();
  update('users', (s) => receivedProfiles(s, [user]));
}

/** The picture's URL on this site; its last update in the query, so a new picture is fetched anew. */
export const pictureUrl = (user: Pick<UserProfile, 'id' | 'last_picture_update'>): string =>
  `/api/v4/users/${encodeURIComponent(user.id)}/image?_=${user.last_picture_update ?? 0}`;
