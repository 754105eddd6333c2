import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, unauthorized } from '#common';
import { Config, ConfigService } from '#config';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { LdapConnection, LdapDirectory } from './ldap-directory.js';
import { firstValue, identityOf } from './ldap-entry.js';
import { allUsersFilter, idFilter, ldapRole, loginFilter, RoleMatches, roleFilters, settingFilter } from './ldap-filters.js';

/** What the directory said of a login id and password. `account`: the local account of the entry, if any. */
export type LdapAnswer =
  | { result: 'ok'; identity: ExternalIdentity; account?: UserRow }
  | { result: 'wrong_password' | 'filtered'; account?: UserRow }
  | { result: 'not_registered' | 'many' };

export const ldapDisabled = () => new AppError('', 'ent.ldap.disabled.app_error', 'AD/LDAP disabled or licence does not support AD/LDAP.', 501);

/**
 * Sign-in against an LDAP directory or Active Directory (Mattermost's enterprise LDAP, free here):
 * the service account (BindUsername) finds the entry, the user's own bind checks the password,
 * UserFilter decides who may sign in, GuestFilter and AdminFilter the system role.
 */
@Injectable()
export class LdapService {
  constructor(
    private readonly directory: LdapDirectory,
    private readonly config: ConfigService,
    private readonly users: UsersRepository,
  ) {}

  /**
   * Finds the entry of a login, by the account's auth_data (IdAttribute) when the account is the
   * directory's, by the login attribute otherwise (Mattermost's GetUserForLogin, then DoLogin by
   * AuthData), and binds as it with `password`. Throws only when the directory cannot be asked.
   */
  async authenticate(loginId: string, password: string, account?: UserRow): Promise<LdapAnswer> {
    const cfg = this.config.get();
    const s = cfg.LdapSettings;
    const conn = await this.directory.open(s);
    try {
      const byAccount = account?.auth_service === 'ldap' && account.auth_data;
      const found = await conn.searchOne(byAccount ? idFilter(s, account.auth_data!) : loginFilter(s, loginId));
      if (found === 'none' || found === 'many') return { result: found === 'many' ? 'many' : 'not_registered' };
      const { entry } = found;
      const authData = firstValue(entry, s.IdAttribute);
      if (!authData) return { result: 'not_registered' };
      const owner = await this.users.byAuth('ldap', authData);
      const users = settingFilter(s.UserFilter, 'UserFilter');
      if (users && !(await conn.matches(entry.dn, users))) return { result: 'filtered', account: owner };
      if (!(await this.directory.passwordMatches(s, entry.dn, password))) return { result: 'wrong_password', account: owner };
      const role = ldapRole(await this.roleMatches(conn, cfg, entry.dn), owner?.roles);
      return { result: 'ok', identity: identityOf(s, entry, role)!, account: owner };
    } finally {
      await conn.close();
    }
  }

  /**
   * The identity of a directory login, or Mattermost's error for why not: for the email → LDAP
   * switch (/users/login/switch), which shows each to the user. Tries are not counted here: the
   * caller counts them as logins are.
   */
  async verify(loginId: string, password: string): Promise<ExternalIdentity> {
    if (!this.config.get().LdapSettings.Enable) {
      throw new AppError('', 'api.user.login_ldap.not_available.app_error', 'AD/LDAP not available on this server.', 501);
    }
    const answer = await this.authenticate(loginId, password);
    switch (answer.result) {
      case 'ok':
        return answer.identity;
      case 'not_registered':
        throw badRequest('ent.ldap.do_login.user_not_registered.app_error', 'User not registered on AD/LDAP server.');
      case 'many':
        throw badRequest('ent.ldap.do_login.matched_to_many_users.app_error', 'User name given matches multiple users.');
      case 'filtered':
        throw forbidden(
          'ent.ldap.do_login.user_filtered.app_error',
          'Your AD/LDAP account does not have permission to use this Mattermost server. Please ask your System Administrator to check the AD/LDAP user filter.',
        );
      case 'wrong_password':
        throw unauthorized('ent.ldap.do_login.invalid_password.app_error', 'Invalid Password.');
    }
  }

  /**
   * POST /ldap/test (Mattermost's RunTest): the settings and filters are valid, the server answers,
   * the service account binds, and a search under BaseDN runs. 501 while LDAP and its sync are off.
   */
  async test(): Promise<void> {
    const cfg = this.config.get();
    if (!cfg.LdapSettings.Enable && !cfg.LdapSettings.EnableSync) throw ldapDisabled();
    const filter = allUsersFilter(cfg.LdapSettings);
    roleFilters(cfg);
    const conn = await this.directory.open(cfg.LdapSettings);
    try {
      await conn.searchOne(filter);
    } finally {
      await conn.close();
    }
  }

  /** Which role filters in force the entry at `dn` matches. */
  private async roleMatches(conn: LdapConnection, cfg: Config, dn: string): Promise<RoleMatches> {
    const filters = roleFilters(cfg);
    return {
      guest: filters.guest ? await conn.matches(dn, filters.guest) : undefined,
      admin: filters.admin ? await conn.matches(dn, filters.admin) : undefined,
    };
  }
}
