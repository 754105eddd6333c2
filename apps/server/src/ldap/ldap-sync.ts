import { Injectable, Logger } from '@nestjs/common';
import type { Entry } from 'ldapts';
import { ConfigService } from '#config';
import { ExternalAccountsService } from '../sso/external-accounts.service.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { LdapDirectory } from './ldap-directory.js';
import { firstValue, identityOf } from './ldap-entry.js';
import { allUsersFilter, ldapRole, roleFilters, withUserFilter } from './ldap-filters.js';

export interface LdapSyncReport {
  /** Accounts whose profile or role changed. */
  updated: number;
  /** Accounts deactivated: their entry is gone or left UserFilter. */
  deactivated: number;
  /** Deactivated accounts whose entry is back. */
  reactivated: number;
  /** Accounts that could not be updated (e.g. their new email belongs to another account). */
  failed: number;
}

/**
 * One run of the ldap_sync job (Mattermost's LDAP sync): every `auth_service: "ldap"` account is
 * matched to its entry by IdAttribute (auth_data). Found: its attributes and role follow the
 * entry, and a deactivated account is activated again (the sync owns an LDAP account's activation,
 * as in Mattermost). Not found within UserFilter: deactivated, its sessions revoked.
 *
 * The directory is read whole, in pages of MaxPageSize, before anything changes; a search that
 * fails or is cut short by the server's size limit fails the run without touching an account, so a
 * broken directory never deactivates anyone.
 */
@Injectable()
export class LdapSync {
  private readonly log = new Logger('ldap');

  constructor(
    private readonly directory: LdapDirectory,
    private readonly config: ConfigService,
    private readonly users: UsersRepository,
    private readonly usersService: UsersService,
    private readonly accounts: ExternalAccountsService,
  ) {}

  /** Runs the sync; `progress` gets 0–100, and the run stops between accounts once `stopped()`. */
  async run(progress: (percent: number) => Promise<void>, stopped: () => boolean): Promise<LdapSyncReport> {
    const directory = await this.readDirectory();
    const accounts = await this.users.byAuthService('ldap');
    const report: LdapSyncReport = { updated: 0, deactivated: 0, reactivated: 0, failed: 0 };
    for (const [i, account] of accounts.entries()) {
      if (stopped()) break;
      try {
        await this.syncAccount(account, directory, report);
      } catch (err) {
        report.failed++;
        this.log.warn(`ldap_sync: user ${account.id} not updated: ${(err as Error)?.message ?? err}`);
      }
      await progress(((i + 1) / accounts.length) * 100);
    }
    return report;
  }

  private async syncAccount(account: UserRow, directory: Directory, report: LdapSyncReport): Promise<void> {
    const s = this.config.get().LdapSettings;
    const entry = account.auth_data ? directory.byId.get(account.auth_data) : undefined;
    if (!entry) {
      if (account.delete_at === 0) {
        await this.usersService.setActiveByProvider(account.id, false);
        report.deactivated++;
      }
      return;
    }
    const dn = entry.dn.toLowerCase();
    const role = ldapRole({ guest: directory.guests && directory.guests.has(dn), admin: directory.admins && directory.admins.has(dn) }, account.roles);
    let current = account;
    if (account.delete_at > 0) {
      await this.usersService.setActiveByProvider(account.id, true);
      report.reactivated++;
      current = { ...account, delete_at: 0 };
    }
    const next = await this.accounts.update(current, identityOf(s, entry, role)!);
    if (next !== current) report.updated++;
  }

  /** Every user entry, by IdAttribute, and the DNs each role filter in force matches. */
  private async readDirectory(): Promise<Directory> {
    const cfg = this.config.get();
    const s = cfg.LdapSettings;
    const filters = roleFilters(cfg);
    const conn = await this.directory.open(s);
    try {
      const byId = new Map<string, Entry>();
      for (const entry of await conn.search(allUsersFilter(s))) {
        const id = firstValue(entry, s.IdAttribute);
        if (id) byId.set(id, entry);
      }
      const dns = async (filter: typeof filters.guest) =>
        filter ? new Set((await conn.search(withUserFilter(s, filter))).map((e) => e.dn.toLowerCase())) : undefined;
      return { byId, guests: await dns(filters.guest), admins: await dns(filters.admin) };
    } finally {
      await conn.close();
    }
  }
}

interface Directory {
  byId: Map<string, Entry>;
  /** DNs (lower case) within GuestFilter / AdminFilter; undefined for a filter not in force. */
  guests?: Set<string>;
  admins?: Set<string>;
}
