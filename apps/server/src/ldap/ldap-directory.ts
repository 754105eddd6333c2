import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Injectable } from '@nestjs/common';
import { Client, Entry, Filter, InvalidCredentialsError, ResultCodeError, SizeLimitExceededError } from 'ldapts';
import { AppError, badRequest } from '#common';
import { attributesToFetch } from './ldap-entry.js';
import type { LdapSettings } from './ldap-filters.js';

/*
 * Mattermost answers these with 500; they are the directory's failures, not this server's, so
 * they are 502 here (as the image proxy answers a failing remote end).
 */
export const unableToConnect = (detail: string) =>
  new AppError('', 'ent.ldap.do_login.unable_to_connect.app_error', 'Unable to connect to AD/LDAP server.', 502, detail);
export const bindAdminFailed = (detail: string) =>
  new AppError('', 'ent.ldap.do_login.bind_admin_user.app_error', 'Unable to bind to AD/LDAP server. Check BindUsername and BindPassword.', 502, detail);
export const searchFailed = (detail: string) =>
  new AppError('', 'ent.ldap.do_login.search_ldap_server.app_error', 'Failed to search AD/LDAP server.', 502, detail);

/** The settings without which no search can be built (model.LdapSettings.isValid). */
export function checkSettings(s: LdapSettings): void {
  const required: Array<[string, string, string]> = [
    [s.LdapServer, 'ldap_server', 'AD/LDAP Server'],
    [s.BaseDN, 'ldap_basedn', 'BaseDN'],
    [s.IdAttribute, 'ldap_id', 'ID Attribute'],
    [s.EmailAttribute, 'ldap_email', 'Email Attribute'],
    [s.UsernameAttribute, 'ldap_username', 'Username Attribute'],
  ];
  for (const [value, id, name] of required) {
    if (!value) throw badRequest(`model.config.is_valid.${id}`, `AD/LDAP field "${name}" is required.`);
  }
  if (!['', 'TLS', 'STARTTLS'].includes(s.ConnectionSecurity)) {
    throw badRequest('model.config.is_valid.ldap_security.app_error', "Invalid connection security for AD/LDAP settings. Must be '', 'TLS', or 'STARTTLS'.");
  }
}

/** What a search for one entry found. */
export type OneEntry = { entry: Entry } | 'none' | 'many';

/**
 * One connection to the directory, bound as the service account (BindUsername; anonymous
 * without one). Searches run under BaseDN with QueryTimeout as their time limit.
 */
export class LdapConnection {
  constructor(
    private readonly client: Client,
    private readonly s: LdapSettings,
  ) {}

  /** Every entry matching `filter`, in pages of MaxPageSize when it is set (the sync's search). */
  async search(filter: Filter): Promise<Entry[]> {
    const paged = this.s.MaxPageSize > 0 ? { pageSize: this.s.MaxPageSize } : undefined;
    const entries = await this.run(filter, { paged });
    // No size limit was asked; one of the server's own is a failed search, never a short list.
    if (entries === 'many') throw searchFailed("the server's size limit cut the search short: set MaxPageSize");
    return entries;
  }

  /** The one entry matching `filter`: none, or more than one (Mattermost's matched_to_many_users). */
  async searchOne(filter: Filter): Promise<OneEntry> {
    const entries = await this.run(filter, { sizeLimit: 2 });
    if (entries === 'many' || entries.length > 1) return 'many';
    return entries.length === 1 ? { entry: entries[0] } : 'none';
  }

  /** Whether the entry at `dn` matches `filter` (UserFilter, GuestFilter, AdminFilter): a search of that entry alone. */
  async matches(dn: string, filter: Filter): Promise<boolean> {
    const entries = await this.run(filter, { base: dn, scope: 'base', attributes: ['1.1'] });
    return entries === 'many' || entries.length > 0;
  }

  async close(): Promise<void> {
    await this.client.unbind().catch(() => undefined);
  }

  private async run(
    filter: Filter,
    opts: { base?: string; scope?: 'base' | 'sub'; sizeLimit?: number; paged?: { pageSize: number }; attributes?: string[] },
  ): Promise<Entry[] | 'many'> {
    try {
      const { searchEntries } = await this.client.search(opts.base ?? this.s.BaseDN, {
        scope: opts.scope ?? 'sub',
        filter,
        attributes: opts.attributes ?? attributesToFetch(this.s),
        sizeLimit: opts.sizeLimit,
        timeLimit: Math.max(0, this.s.QueryTimeout),
        paged: opts.paged,
      });
      return searchEntries;
    } catch (err) {
      if (err instanceof SizeLimitExceededError) return 'many';
      throw err instanceof ResultCodeError ? searchFailed(`${err.name}: ${err.message}`) : unableToConnect(String((err as Error)?.message ?? err));
    }
  }
}

/**
 * Connections to the directory the settings name: plain, LDAPS (ConnectionSecurity "TLS") or
 * STARTTLS, the certificate checked against the system's CAs (and NODE_EXTRA_CA_CERTS) unless
 * SkipCertificateVerification. Nothing is kept between calls: every node opens its own.
 */
@Injectable()
export class LdapDirectory {
  /** A connection bound as the service account. */
  async open(s: LdapSettings): Promise<LdapConnection> {
    checkSettings(s);
    const client = await this.connect(s);
    try {
      if (s.BindUsername) await client.bind(s.BindUsername, s.BindPassword);
    } catch (err) {
      await client.unbind().catch(() => undefined);
      throw err instanceof ResultCodeError ? bindAdminFailed(`${err.name}: ${err.message}`) : unableToConnect(String((err as Error)?.message ?? err));
    }
    return new LdapConnection(client, s);
  }

  /**
   * Whether `password` is the password of the entry at `dn`: a bind of its own, on a connection
   * of its own. An empty password is never tried: LDAP takes a simple bind without one as an
   * anonymous bind, which succeeds.
   */
  async passwordMatches(s: LdapSettings, dn: string, password: string): Promise<boolean> {
    if (!password) return false;
    const client = await this.connect(s);
    try {
      await client.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw err instanceof ResultCodeError ? searchFailed(`bind: ${err.name}: ${err.message}`) : unableToConnect(String((err as Error)?.message ?? err));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  /** A connected client (STARTTLS done); LDAPS and plain connect with the first operation. */
  private async connect(s: LdapSettings): Promise<Client> {
    const tlsOptions = tlsOptionsFor(s);
    const host = s.LdapServer.includes(':') ? `[${s.LdapServer}]` : s.LdapServer;
    const timeoutMs = s.QueryTimeout > 0 ? s.QueryTimeout * 1000 : undefined;
    const client = new Client({
      url: `${s.ConnectionSecurity === 'TLS' ? 'ldaps' : 'ldap'}://${host}:${s.LdapPort}`,
      timeout: timeoutMs,
      connectTimeout: timeoutMs,
      // ldapts speaks TLS from the first byte whenever it is given TLS options: LDAPS only.
      tlsOptions: s.ConnectionSecurity === 'TLS' ? tlsOptions : undefined,
    });
    if (s.ConnectionSecurity === 'STARTTLS') {
      try {
        await client.startTLS(tlsOptions);
      } catch (err) {
        await client.unbind().catch(() => undefined);
        throw unableToConnect(`STARTTLS: ${String((err as Error)?.message ?? err)}`);
      }
    }
    return client;
  }
}

/** The TLS side: the server's name checked against its certificate (IP addresses too), TLS 1.2 at least. */
function tlsOptionsFor(s: LdapSettings): ConnectionOptions {
  return {
    host: s.LdapServer,
    // SNI takes host names only.
    servername: isIP(s.LdapServer) ? undefined : s.LdapServer,
    rejectUnauthorized: !s.SkipCertificateVerification,
    minVersion: 'TLSv1.2',
  };
}
