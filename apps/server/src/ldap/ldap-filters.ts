import { AndFilter, EqualityFilter, Filter, FilterParser, OrFilter, PresenceFilter } from 'ldapts';
import { AppError } from '#common';
import type { Config } from '#config';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';

export type LdapSettings = Config['LdapSettings'];

/**
 * Every filter sent to the directory is built here as ldapts filter objects, which go out as BER
 * with each value as its own octet string: a login id is always one equality value, never filter
 * syntax. `*)(uid=*` looks for a user literally called that, and finds nobody (Mattermost escapes
 * with ldap.EscapeFilter before pasting; objects need no escaping to get wrong).
 */

/** A filter of the settings (UserFilter, GuestFilter, AdminFilter), parsed on its own; undefined when empty. */
export function settingFilter(text: string, setting: string): Filter | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  try {
    // Mattermost's settings take "(objectClass=user)"; a bare "objectClass=user" is read the same.
    return FilterParser.parseString(trimmed.startsWith('(') ? trimmed : `(${trimmed})`);
  } catch (err) {
    throw new AppError('', 'ent.ldap.validate_filter.app_error', 'Invalid AD/LDAP Filter.', 400, `${setting}: ${(err as Error).message}`);
  }
}

/** (attribute=value), the value as one octet string. */
export function equals(attribute: string, value: string): Filter {
  return new EqualityFilter({ attribute, value });
}

/**
 * The entry a login id names, by LoginIdAttribute; without one, by the username or the email
 * attribute (the ids Mattermost's login form asks for). UserFilter is checked apart, so that an
 * entry outside it can be told from an unknown one (ent.ldap.do_login.user_filtered).
 */
export function loginFilter(s: LdapSettings, loginId: string): Filter {
  if (s.LoginIdAttribute) return equals(s.LoginIdAttribute, loginId);
  const attributes = [...new Set([s.UsernameAttribute, s.EmailAttribute].filter(Boolean))];
  return attributes.length === 1 ? equals(attributes[0], loginId) : new OrFilter({ filters: attributes.map((a) => equals(a, loginId)) });
}

/** The entry an account belongs to: IdAttribute = its auth_data (Mattermost's DoLogin by AuthData). */
export function idFilter(s: LdapSettings, authData: string): Filter {
  return equals(s.IdAttribute, authData);
}

/** Every user the server may have: entries with an IdAttribute, within UserFilter (the sync's search). */
export function allUsersFilter(s: LdapSettings): Filter {
  return withUserFilter(s, new PresenceFilter({ attribute: s.IdAttribute }));
}

/** `filter` and UserFilter, when there is one. */
export function withUserFilter(s: LdapSettings, filter: Filter): Filter {
  const users = settingFilter(s.UserFilter, 'UserFilter');
  return users ? new AndFilter({ filters: [filter, users] }) : filter;
}

/** The role filters in force: GuestFilter while guest accounts are on, AdminFilter while EnableAdminFilter. */
export function roleFilters(cfg: Pick<Config, 'LdapSettings' | 'GuestAccountsSettings'>): { guest?: Filter; admin?: Filter } {
  const s = cfg.LdapSettings;
  return {
    guest: cfg.GuestAccountsSettings.Enable ? settingFilter(s.GuestFilter, 'GuestFilter') : undefined,
    admin: s.EnableAdminFilter ? settingFilter(s.AdminFilter, 'AdminFilter') : undefined,
  };
}

/** Whether an entry matches each role filter; undefined for a filter not in force. */
export interface RoleMatches {
  guest?: boolean;
  admin?: boolean;
}

/**
 * The system role the filters give (ExternalIdentity.role). A match makes a guest or an admin; a
 * guest match wins over an admin one (the lesser role when the directory says both). Not matching
 * takes back only what a filter in force gives: an admin whose entry left AdminFilter becomes a
 * user, as does a guest that left GuestFilter; otherwise the account's roles are left alone (the
 * first account, an admin by sign-up, is not demoted because a guest filter exists).
 */
export function ldapRole(matches: RoleMatches, currentRoles: string | undefined): ExternalIdentity['role'] {
  if (matches.guest) return 'guest';
  if (matches.admin) return 'admin';
  const roles = (currentRoles ?? '').split(' ');
  const lostAdmin = matches.admin === false && roles.includes('system_admin');
  const lostGuest = matches.guest === false && roles.includes('system_guest');
  return lostAdmin || lostGuest ? 'user' : undefined;
}
