import { describe, expect, it } from 'vitest';
import { defaultConfig } from '#config';
import { hasRoleAttribute, samlIdentity, samlRole } from './saml-identity.js';
import type { SamlSettings } from './saml-settings.js';

const settings = (over: Partial<SamlSettings> = {}): SamlSettings => ({
  ...defaultConfig.SamlSettings,
  EmailAttribute: 'mail',
  UsernameAttribute: 'uid',
  FirstNameAttribute: 'givenName',
  ...over,
});

describe('samlIdentity', () => {
  it('maps the configured attributes; auth_data is the email without IdAttribute', () => {
    const identity = samlIdentity({ mail: 'a@x.test', uid: 'alice', givenName: ['Alice', 'Al'], sn: 'ignored' }, settings());
    expect(identity).toEqual({
      service: 'saml',
      authData: 'a@x.test',
      email: 'a@x.test',
      username: 'alice',
      firstName: 'Alice',
      lastName: undefined,
      nickname: undefined,
      position: undefined,
      locale: undefined,
    });
  });

  it('takes auth_data from IdAttribute, and refuses an assertion without it or without an email', () => {
    expect(samlIdentity({ mail: 'a@x.test', id: '42' }, settings({ IdAttribute: 'id' })).authData).toBe('42');
    expect(() => samlIdentity({ mail: 'a@x.test' }, settings({ IdAttribute: 'id' }))).toThrow(/id attribute/);
    expect(() => samlIdentity({ uid: 'alice' }, settings())).toThrow(/mail attribute/);
    expect(() => samlIdentity({ mail: ['', '  '] }, settings())).toThrow(/mail attribute/);
  });

  it('leaves out structured values', () => {
    expect(samlIdentity({ mail: 'a@x.test', uid: { nested: true } }, settings()).username).toBeUndefined();
  });
});

describe('samlRole', () => {
  const roles = settings({ GuestAttribute: 'role=guest', EnableAdminAttribute: true, AdminAttribute: 'role=admin' });

  it('matches name=value against any value of the attribute', () => {
    expect(hasRoleAttribute({ role: ['member', 'admin'] }, 'role=admin')).toBe(true);
    expect(hasRoleAttribute({ role: 'member' }, 'role=admin')).toBe(false);
    expect(hasRoleAttribute({ role: 'admin' }, 'role')).toBe(false);
  });

  it('guest wins over admin; with the admin attribute on, everyone else is a plain user', () => {
    expect(samlRole({ role: ['guest', 'admin'] }, roles)).toBe('guest');
    expect(samlRole({ role: 'admin' }, roles)).toBe('admin');
    expect(samlRole({ role: 'member' }, roles, 'system_admin system_user')).toBe('user');
  });

  it('without the admin attribute, roles set by hand stay; a guest without the guest attribute becomes a user', () => {
    const guestOnly = settings({ GuestAttribute: 'role=guest' });
    expect(samlRole({ role: 'member' }, guestOnly, 'system_admin system_user')).toBeUndefined();
    expect(samlRole({ role: 'member' }, guestOnly, 'system_guest')).toBe('user');
    expect(samlRole({ role: 'member' }, settings())).toBeUndefined();
  });
});
