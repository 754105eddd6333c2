import type { UserRow } from './user.model.js';

/**
 * The second step of a password sign-in, after the password was found right (Mattermost's
 * CheckUserMfa): the MFA area provides it (mfa/mfa.module.ts), LoginService calls it. A seam, so
 * that the users area does not import the MFA area, which builds on it.
 */
export abstract class SecondFactor {
  /**
   * Resolves when `user` may sign in with `code`: MFA is off on the server or for the account, or
   * `code` is a valid, unused one. Otherwise throws the AppError the login answers with.
   */
  abstract check(user: UserRow, code: string): Promise<void>;
}
