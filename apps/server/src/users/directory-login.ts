import { Injectable } from '@nestjs/common';
import type { UserRow } from './user.model.js';

/** What a password check found: the account (if any) and whether the password is its. */
export interface PasswordCheck {
  user?: UserRow;
  ok: boolean;
}

/**
 * A directory that checks passwords itself (LDAP, Mattermost's authenticateUser branch for
 * `auth_service: "ldap"` accounts). LoginService hands it the logins it claims, inside the same
 * counted try as a bcrypt check, so that its wrong passwords count and lock out alike.
 */
export interface DirectoryLogin {
  /**
   * Whether the directory checks this login: `ldap_only`, an account of the directory's, or an id
   * no local account answers to while the directory is on (Mattermost's GetUserForLogin).
   */
  handles(account: UserRow | undefined, ldapOnly: boolean): boolean;
  /**
   * The directory's answer: undefined when it has no entry for the id (the caller then answers as
   * for an unknown id); otherwise whether the password binds, and the account (made on the first
   * sign-in when it does). Throws, without a guess having been made, when the directory cannot be
   * asked.
   */
  check(loginId: string, password: string, account: UserRow | undefined): Promise<PasswordCheck | undefined>;
}

/**
 * Where the LDAP area plugs its login in: it builds on the users area (accounts, sessions), so
 * the users area cannot import it.
 */
@Injectable()
export class DirectoryLogins {
  private directory?: DirectoryLogin;

  use(directory: DirectoryLogin): void {
    this.directory = directory;
  }

  get(): DirectoryLogin | undefined {
    return this.directory;
  }
}
