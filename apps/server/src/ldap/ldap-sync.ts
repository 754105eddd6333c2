import { Injectable, Logger } from '@nestjs/common';
import type { Entry } from 'ldapts';
import { type Config, ConfigService } from '#config';
import { hasRole } from '../common/session.js';
import { ExternalAccountsService, type ExternalIdentity } from '../sso/external-accounts.service.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { LdapDirectory } from './ldap-directory.js';
import { firstValue, identityOf } from './ldap-entry.js';
import { allUsersFilter, type LdapSettings, ldapRole, roleFilters, withUserFilter } from './ldap-filters.js';

type SamlSettings = Config['SamlSettings'];

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

/** The directory as one run of the sync read it. */
export interface Directory {
  /** Entries within UserFilter by IdAttribute. */
  byId: Map<string, Entry>;
  /** The same entries by EmailAttribute, in lower case; null where several entries share an email. */
  byEmail: Map<string, Entry | null>;
  /** DNs (lower case) within GuestFilter / AdminFilter; undefined for a filter not in force. */
  guests?: Set<string>;
  admins?: Set<string>;
}

/**
 * One run of the ldap_sync job (Mattermost's LDAP sync): every `auth_service: "ldap"` account is
 * matched to its entry by IdAttribute (auth_data). Found: its attributes and role follow the
 * entry, and a deactivated account is activated again (the sync owns an LDAP account's activation,
 * as in Mattermost). Not found within UserFilter: deactivated, its sessions revoked.
 *
 * With SamlSettings.EnableSyncWithLdap the same run keeps `auth_service: "saml"` accounts in step
 * with the directory too (Mattermost's "SAML synchronization with AD/LDAP", the phase after the
 * LDAP accounts): matched as samlEntry() says, their profile follows the entry, and they are
 * deactivated when the entry is gone or left UserFilter and activated again when it is back.
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
    const accounts = await this.accountsToSync();
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

  /** The LDAP accounts, then, while SamlSettings.EnableSyncWithLdap, the SAML ones (Mattermost's two phases). */
  private async accountsToSync(): Promise<UserRow[]> {
    const ldap = await this.users.byAuthService('ldap');
    if (!this.config.get().SamlSettings.EnableSyncWithLdap) return ldap;
    return [...ldap, ...(await this.users.byAuthService('saml'))];
  }

  private syncAccount(account: UserRow, directory: Directory, report: LdapSyncReport): Promise<void> {
    return account.auth_service === 'saml' ? this.syncSamlAccount(account, directory, report) : this.syncLdapAccount(account, directory, report);
  }

  private async syncLdapAccount(account: UserRow, directory: Directory, report: LdapSyncReport): Promise<void> {
    const s = this.config.get().LdapSettings;
    const entry = account.auth_data ? directory.byId.get(account.auth_data) : undefined;
    const current = await this.followPresence(account, entry, report);
    if (!entry || !current) return;
    const dn = entry.dn.toLowerCase();
    const role = ldapRole({ guest: directory.guests && directory.guests.has(dn), admin: directory.admins && directory.admins.has(dn) }, account.roles);
    await this.refresh(current, identityOf(s, entry, role)!, report);
  }

  /**
   * A SAML account: its profile from the entry (Mattermost: first name, last name, nickname and the
   * other mapped attributes "copied from the LDAP server"). Its role is left alone: a SAML
   * account's guest and admin roles are the assertion's (GuestAttribute / AdminAttribute), given at
   * sign-in, not the directory's filters. With IgnoreGuestsLdapSync, guests are skipped altogether
   * (Mattermost: no information about SAML guests is synced, their deactivation is the admin's).
   */
  private async syncSamlAccount(account: UserRow, directory: Directory, report: LdapSyncReport): Promise<void> {
    const cfg = this.config.get();
    if (cfg.SamlSettings.IgnoreGuestsLdapSync && hasRole(account.roles, 'system_guest')) return;
    const entry = samlEntry(cfg.SamlSettings, account, directory);
    const current = await this.followPresence(account, entry, report);
    if (!entry || !current) return;
    const identity = samlIdentityFromEntry(cfg.LdapSettings, entry, current);
    if (identity) await this.refresh(current, identity, report);
  }

  /**
   * Deactivates an active account whose entry is missing (its sessions revoked, as for a removed
   * LDAP user) and activates a deactivated one whose entry is there. Returns the account as it now
   * is, undefined when it has no entry.
   */
  private async followPresence(account: UserRow, entry: Entry | undefined, report: LdapSyncReport): Promise<UserRow | undefined> {
    if (!entry) {
      if (account.delete_at === 0) {
        await this.usersService.setActiveByProvider(account.id, false);
        report.deactivated++;
      }
      return undefined;
    }
    if (account.delete_at === 0) return account;
    await this.usersService.setActiveByProvider(account.id, true);
    report.reactivated++;
    return { ...account, delete_at: 0 };
  }

  private async refresh(account: UserRow, identity: ExternalIdentity, report: LdapSyncReport): Promise<void> {
    const next = await this.accounts.update(account, identity);
    if (next !== account) report.updated++;
  }

  /** Every user entry, by IdAttribute and by email, and the DNs each role filter in force matches. */
  private async readDirectory(): Promise<Directory> {
    const cfg = this.config.get();
    const s = cfg.LdapSettings;
    const filters = roleFilters(cfg);
    const conn = await this.directory.open(s);
    try {
      const entries = await conn.search(allUsersFilter(s));
      const dns = async (filter: typeof filters.guest) =>
        filter ? new Set((await conn.search(withUserFilter(s, filter))).map((e) => e.dn.toLowerCase())) : undefined;
      return { ...indexEntries(s, entries), guests: await dns(filters.guest), admins: await dns(filters.admin) };
    } finally {
      await conn.close();
    }
  }
}

/** The entries by IdAttribute and by EmailAttribute (lower case; null for an email several entries carry). */
export function indexEntries(s: LdapSettings, entries: Entry[]): Pick<Directory, 'byId' | 'byEmail'> {
  const byId = new Map<string, Entry>();
  const byEmail = new Map<string, Entry | null>();
  for (const entry of entries) {
    const id = firstValue(entry, s.IdAttribute);
    if (id) byId.set(id, entry);
    const email = firstValue(entry, s.EmailAttribute)?.toLowerCase();
    if (email) byEmail.set(email, byEmail.has(email) ? null : entry);
  }
  return { byId, byEmail };
}

/**
 * The entry of a SAML account, as Mattermost binds SAML accounts to the directory: by email (the
 * account's against EmailAttribute; "user attributes are synchronized with AD/LDAP based on their
 * email address"). With EnableSyncWithLdapIncludeAuth ("Override SAML bind data with AD/LDAP
 * information") and a SAML IdAttribute, by auth_data against the LDAP IdAttribute instead, with no
 * fall-back to the email: the SAML ids must then be the directory's ids, or the accounts are
 * deactivated, as Mattermost's help text warns. An account whose auth_data is its email (made
 * before an Id attribute was set, or reset by reset_auth_data) has no id to match: by email.
 * Throws when several entries carry the email (Mattermost's matched_to_many_users): the run counts
 * the account as failed and leaves it as it is rather than guess.
 */
export function samlEntry(
  saml: SamlSettings,
  account: Pick<UserRow, 'auth_data' | 'email'>,
  directory: Pick<Directory, 'byId' | 'byEmail'>,
): Entry | undefined {
  const authData = account.auth_data ?? '';
  if (saml.EnableSyncWithLdapIncludeAuth && saml.IdAttribute && authData && authData !== account.email) return directory.byId.get(authData);
  const entry = directory.byEmail.get(account.email.toLowerCase());
  if (entry === null) throw new Error('several directory entries have its email');
  return entry;
}

/**
 * The entry as the identity a SAML account is updated with: the directory's profile fields; the
 * account keeps its service, auth_data and roles (the sync never changes how an account signs in).
 */
export function samlIdentityFromEntry(s: LdapSettings, entry: Entry, account: UserRow): ExternalIdentity | undefined {
  const fromDirectory = identityOf(s, entry, undefined);
  if (!fromDirectory || !account.auth_data) return undefined;
  return { ...fromDirectory, service: 'saml', authData: account.auth_data };
}
