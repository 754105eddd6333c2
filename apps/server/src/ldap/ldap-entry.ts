import type { Entry } from 'ldapts';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';
import type { LdapSettings } from './ldap-filters.js';

/** The attributes a search asks for: the ones the settings name (operational ones, like memberOf or entryUUID, only when asked). */
export function attributesToFetch(s: LdapSettings): string[] {
  const names = [
    s.IdAttribute,
    s.EmailAttribute,
    s.UsernameAttribute,
    s.FirstNameAttribute,
    s.LastNameAttribute,
    s.NicknameAttribute,
    s.PositionAttribute,
    s.LoginIdAttribute,
  ];
  return [...new Set(names.filter(Boolean))];
}

/** The first value of an attribute, its name matched without regard to case (directories return the schema's spelling). */
export function firstValue(entry: Entry, attribute: string): string | undefined {
  if (!attribute) return undefined;
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k !== 'dn' && k.toLowerCase() === wanted);
  if (key === undefined) return undefined;
  const value = entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return (typeof first === 'string' ? first : first.toString('utf8')).trim();
}

/**
 * An entry as the sign-in core's identity: IdAttribute → auth_data, the attribute names of the
 * settings → profile fields. A named attribute the entry lacks clears the field (the directory is
 * the source); an unnamed one leaves it to the user. Undefined without an id.
 */
export function identityOf(s: LdapSettings, entry: Entry, role: ExternalIdentity['role']): ExternalIdentity | undefined {
  const authData = firstValue(entry, s.IdAttribute);
  if (!authData) return undefined;
  const field = (attribute: string) => (attribute ? (firstValue(entry, attribute) ?? '') : undefined);
  return {
    service: 'ldap',
    authData,
    email: firstValue(entry, s.EmailAttribute) ?? '',
    username: firstValue(entry, s.UsernameAttribute),
    firstName: field(s.FirstNameAttribute),
    lastName: field(s.LastNameAttribute),
    nickname: field(s.NicknameAttribute),
    position: field(s.PositionAttribute),
    role,
  };
}
