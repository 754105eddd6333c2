/**
 * What the pages behind the server's mailed links do (Mattermost's web app paths the mails link
 * to): ask for a password reset link and use it, verify an address and ask for its link again.
 * Each call throws the server's error for its page to show.
 */
import { client } from '../api/client';
import { store, update } from '../state/store';
import { receivedProfiles } from '../state/users';
import { navigate } from './navigation';

/** POST /users/password/reset/send: the server answers OK for an unknown address too (nobody learns who has an account). */
export async function sendPasswordReset(email: string): Promise<void> {
  await client.sendPasswordResetEmail(email.trim());
}

/** POST /users/password/reset with the link's token, then the login page with its notice (Mattermost's extra=passwordChange). */
export async function resetPassword(token: string, password: string): Promise<void> {
  await client.resetUserPassword(token, password);
  navigate({ screen: 'login', redirectTo: '', extra: 'passwordChange' }, { replace: true });
}

/**
 * The verification link's page: POST /users/email/verify, then the login page with its notice
 * (extra=verified) — or, for someone already signed in (a changed address), their profile again
 * and straight on into the app.
 */
export async function verifyEmail(token: string): Promise<void> {
  await client.verifyUserEmail(token);
  if (store.get().session.status === 'signed-in') {
    const me = await client.getMe();
    update('users', (s) => receivedProfiles(s, [me]));
    navigate('/', { replace: true });
  } else {
    navigate({ screen: 'login', redirectTo: '', extra: 'verified' }, { replace: true });
  }
}

/** POST /users/email/verify/send: a new link (the server answers OK whatever the address). */
export async function resendVerification(email: string): Promise<void> {
  await client.sendVerificationEmail(email.trim());
}
