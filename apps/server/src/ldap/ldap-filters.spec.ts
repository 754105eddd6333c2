import { AndFilter, BerReader, BerWriter, EqualityFilter, FilterParser, OrFilter, PresenceFilter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { defaultConfig } from '#config';
import { checkSettings } from './ldap-directory.js';
import { attributesToFetch, identityOf } from './ldap-entry.js';
import { allUsersFilter, LdapSettings, ldapRole, loginFilter, roleFilters, settingFilter, withUserFilter } from './ldap-filters.js';

function settings(over: Partial<LdapSettings> = {}): LdapSettings {
  return {
    ...defaultConfig.LdapSettings,
    LdapServer: '127.0.0.1',
    BaseDN: 'dc=example,dc=com',
    IdAttribute: 'employeeNumber',
    EmailAttribute: 'mail',
    UsernameAttribute: 'uid',
    LoginIdAttribute: 'uid',
    ...over,
  };
}

/** The filter as the directory receives it: BER, read back. */
function overTheWire(filter: { write(w: BerWriter): void }) {
  const writer = new BerWriter();
  filter.write(writer);
  return FilterParser.parse(new BerReader(writer.buffer));
}

const INJECTIONS = ['*)(uid=*', '*', 'ali*', 'alice)(|(uid=*', 'alice\\2a', '\u0000', '(objectClass=*)'];

describe('loginFilter: a login id is one equality value', () => {
  it.each(INJECTIONS)('%j goes out as the literal value of (uid=…), escaped in text form', (id) => {
    const filter = loginFilter(settings(), id);
    expect(filter).toBeInstanceOf(EqualityFilter);
    const received = overTheWire(filter) as EqualityFilter;
    expect(received).toBeInstanceOf(EqualityFilter);
    expect(received.attribute).toBe('uid');
    expect(String(received.value)).toBe(id);
    // The text form (logs, toString) is escaped too: no unescaped filter syntax survives.
    expect(filter.toString().slice('(uid='.length, -1)).not.toMatch(/[()*\\\u0000](?![0-9a-f]{2})/i);
  });

  it('matches nobody that the pasted-in filter would match', () => {
    const alice = { uid: 'alice', objectClass: 'inetOrgPerson' };
    expect(FilterParser.parseString('(uid=*)').matches(alice)).toBe(true);
    expect(FilterParser.parseString('(uid=ali*)').matches(alice)).toBe(true);
    expect(loginFilter(settings(), '*').matches(alice)).toBe(false);
    expect(loginFilter(settings(), 'ali*').matches(alice)).toBe(false);
    expect(loginFilter(settings(), '*)(uid=*').matches(alice)).toBe(false);
    expect(loginFilter(settings(), 'alice').matches(alice)).toBe(true);
  });

  it('without LoginIdAttribute, takes the username or the email attribute', () => {
    const filter = loginFilter(settings({ LoginIdAttribute: '' }), 'a*)(x=*');
    expect(filter).toBeInstanceOf(OrFilter);
    expect(filter.toString()).toBe('(|(uid=a\\2a\\29\\28x=\\2a)(mail=a\\2a\\29\\28x=\\2a))');
    expect(loginFilter(settings({ LoginIdAttribute: '', EmailAttribute: 'uid' }), 'bob').toString()).toBe('(uid=bob)');
  });
});

describe('the settings filters', () => {
  it('UserFilter is parsed on its own and ANDed with the search, never pasted into it', () => {
    const s = settings({ UserFilter: '(!(employeeType=disabled))' });
    const filter = withUserFilter(s, loginFilter(s, '*)(uid=*'));
    expect(filter).toBeInstanceOf(AndFilter);
    expect(filter.toString()).toBe('(&(uid=\\2a\\29\\28uid=\\2a)(!(employeeType=disabled)))');
    expect(withUserFilter(settings(), loginFilter(settings(), 'bob')).toString()).toBe('(uid=bob)');
  });

  it('the sync reads every entry with an id, within UserFilter', () => {
    expect(allUsersFilter(settings())).toBeInstanceOf(PresenceFilter);
    expect(allUsersFilter(settings({ UserFilter: 'objectClass=inetOrgPerson' })).toString()).toBe('(&(employeeNumber=*)(objectClass=inetOrgPerson))');
  });

  it("takes a filter with or without its outer parentheses; refuses a broken one with Mattermost's error", () => {
    expect(settingFilter('(memberOf=cn=admins,ou=groups,dc=example,dc=com)', 'AdminFilter')!.toString()).toBe(
      '(memberOf=cn=admins,ou=groups,dc=example,dc=com)',
    );
    expect(settingFilter('objectClass=person', 'UserFilter')!.toString()).toBe('(objectClass=person)');
    expect(settingFilter('  ', 'UserFilter')).toBeUndefined();
    for (const broken of ['(a=b)(c=d)', '(a=b))', '((a=b))']) {
      const err = (() => {
        try {
          settingFilter(broken, 'UserFilter');
        } catch (e) {
          return e;
        }
      })();
      expect(err, broken).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ id: 'ent.ldap.validate_filter.app_error', statusCode: 400 });
    }
  });

  it('GuestFilter counts only while guest accounts are on, AdminFilter only with EnableAdminFilter', () => {
    const s = settings({ GuestFilter: '(employeeType=guest)', AdminFilter: '(employeeType=admin)' });
    const guestsOn = { ...defaultConfig.GuestAccountsSettings, Enable: true };
    expect(roleFilters({ LdapSettings: s, GuestAccountsSettings: defaultConfig.GuestAccountsSettings })).toEqual({ guest: undefined, admin: undefined });
    const on = roleFilters({ LdapSettings: { ...s, EnableAdminFilter: true }, GuestAccountsSettings: guestsOn });
    expect(on.guest!.toString()).toBe('(employeeType=guest)');
    expect(on.admin!.toString()).toBe('(employeeType=admin)');
  });
});

describe('ldapRole', () => {
  it.each([
    [{ guest: true }, 'system_user', 'guest'],
    [{ admin: true }, 'system_user', 'admin'],
    [{ guest: true, admin: true }, undefined, 'guest'],
    [{ admin: false }, 'system_admin system_user', 'user'],
    [{ guest: false }, 'system_guest', 'user'],
    // A filter in force that the account never owed its role to leaves the role alone.
    [{ guest: false }, 'system_admin system_user', undefined],
    [{ admin: false }, 'system_user', undefined],
    [{}, 'system_admin system_user', undefined],
    [{ admin: false, guest: false }, undefined, undefined],
  ] as const)('%j on %j → %j', (matches, roles, role) => {
    expect(ldapRole(matches, roles)).toBe(role);
  });
});

describe('identityOf', () => {
  const s = settings({ FirstNameAttribute: 'givenName', LastNameAttribute: 'sn', NicknameAttribute: 'displayName', PositionAttribute: 'title' });

  it('maps the named attributes, whatever their case in the entry; IdAttribute becomes auth_data', () => {
    const entry = {
      dn: 'uid=alice,ou=people,dc=example,dc=com',
      employeenumber: '1001',
      MAIL: ['Alice@Example.com'],
      uid: 'alice',
      givenName: 'Alice',
      sn: 'A',
    };
    expect(identityOf(s, entry, 'admin')).toEqual({
      service: 'ldap',
      authData: '1001',
      email: 'Alice@Example.com',
      username: 'alice',
      firstName: 'Alice',
      lastName: 'A',
      nickname: '',
      position: '',
      role: 'admin',
    });
  });

  it('leaves unnamed attributes to the user, and has no identity without an id', () => {
    const identity = identityOf(settings(), { dn: 'x', employeeNumber: '7', mail: 'a@b.c', uid: 'a', sn: 'ignored' }, undefined)!;
    expect(identity.lastName).toBeUndefined();
    expect(identityOf(s, { dn: 'x', mail: 'a@b.c' }, undefined)).toBeUndefined();
  });

  it('asks the directory for the named attributes only, once each', () => {
    expect(attributesToFetch(s)).toEqual(['employeeNumber', 'mail', 'uid', 'givenName', 'sn', 'displayName', 'title']);
  });
});

describe('checkSettings', () => {
  it('refuses settings no search can be built from, and an unknown ConnectionSecurity', () => {
    expect(() => checkSettings(settings())).not.toThrow();
    expect(() => checkSettings(settings({ IdAttribute: '' }))).toThrow(expect.objectContaining({ id: 'model.config.is_valid.ldap_id' }));
    expect(() => checkSettings(settings({ ConnectionSecurity: 'SSL' }))).toThrow(
      expect.objectContaining({ id: 'model.config.is_valid.ldap_security.app_error' }),
    );
  });
});
