import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '#config';
import { ExternalAccountsService } from '../sso/external-accounts.service.js';
import { DirectoryLogin, DirectoryLogins, PasswordCheck } from '../users/directory-login.js';
import { invalidCredentials } from '../users/login.service.js';
import type { UserRow } from '../users/user.model.js';
import { LdapService } from './ldap.service.js';

/**
 * POST /users/login for the directory's logins: `ldap_only`, an `auth_service: "ldap"` account, or
 * an id no local account answers to while LDAP is on. LoginService runs check() as its counted
 * password check, so wrong directory passwords count toward MaximumLoginAttempts and lock the
 * (login id, address) pair exactly as wrong local passwords do, behind the same rate limits.
 */
@Injectable()
export class LdapLogin implements DirectoryLogin, OnModuleInit {
  private readonly log = new Logger('ldap');

  constructor(
    private readonly registry: DirectoryLogins,
    private readonly ldap: LdapService,
    private readonly accounts: ExternalAccountsService,
    private readonly config: ConfigService,
  ) {}

  onModuleInit(): void {
    this.registry.use(this);
  }

  handles(account: UserRow | undefined, ldapOnly: boolean): boolean {
    if (ldapOnly) return true;
    return this.config.get().LdapSettings.Enable && (!account || account.auth_service === 'ldap');
  }

  /**
   * Unknown, or matched by several entries: answered as an unknown id. Outside UserFilter or a
   * wrong password: a wrong password. Right: the account, made on the first sign-in and kept in
   * step with the entry (ExternalAccountsService.signIn). A directory that cannot be asked is
   * logged and answered as a wrong password, with no try counted (Mattermost masks it too).
   */
  async check(loginId: string, password: string, account: UserRow | undefined): Promise<PasswordCheck | undefined> {
    const cfg = this.config.get();
    if (!cfg.LdapSettings.Enable) return undefined;
    let answer;
    try {
      answer = await this.ldap.authenticate(loginId, password, account);
    } catch (err) {
      this.log.warn(`LDAP login not checked: ${(err as Error)?.message ?? err} ${(err as { detailedError?: string }).detailedError ?? ''}`);
      throw invalidCredentials(cfg);
    }
    switch (answer.result) {
      case 'ok':
        return { user: await this.accounts.signIn(answer.identity), ok: true };
      case 'wrong_password':
      case 'filtered':
        return { user: answer.account, ok: false };
      default:
        return undefined;
    }
  }
}
