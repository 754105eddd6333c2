import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { type Config, ConfigService, defaultConfig } from '#config';
import type { ExternalAccountsService, ExternalIdentity } from '../sso/external-accounts.service.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { UsersService } from '../users/users.service.js';
import type { LdapDirectory } from './ldap-directory.js';
import { indexEntries, LdapSync, samlEntry, samlIdentityFromEntry } from './ldap-sync.js';

function config(saml: Partial<Config['SamlSettings']> = {}): Config {
  const cfg = structuredClone(defaultConfig);
  Object.assign(cfg.LdapSettings, {
    LdapServer: '127.0.0.1',
    BaseDN: 'dc=example,dc=com',
    IdAttribute: 'employeeNumber',
    EmailAttribute: 'mail',
    UsernameAttribute: 'uid',
    FirstNameAttribute: 'givenName',
    LastNameAttribute: 'sn',
  });
  Object.assign(cfg.SamlSettings, { Enable: true, IdAttribute: 'employeeNumber', EmailAttribute: 'mail', ...saml });
  return cfg;
}

const entry = (uid: string, id: string, mail = `${uid}@example.com`, sn = 'Example'): Entry => ({
  dn: `uid=${uid},ou=people,dc=example,dc=com`,
  uid,
  employeeNumber: id,
  mail,
  givenName: uid,
  sn,
});

/** A SAML account unless `over` says otherwise. */
function account(over: Partial<UserRow>): UserRow {
  return testUserRow(over.username ?? 'someone', { auth_service: 'saml', notify_props: {}, timezone: {}, ...over });
}

describe('indexEntries', () => {
  it('indexes by IdAttribute and by lower-case email; an email two entries share maps to null', () => {
    const a = entry('ann', '1', 'Ann@Example.com');
    const b = entry('bea', '2', 'shared@example.com');
    const c = entry('cid', '3', 'SHARED@example.com');
    const { byId, byEmail } = indexEntries(config().LdapSettings, [a, b, c]);
    expect([...byId.keys()]).toEqual(['1', '2', '3']);
    expect(byEmail.get('ann@example.com')).toBe(a);
    expect(byEmail.get('shared@example.com')).toBeNull();
  });
});

describe('samlEntry: which entry a SAML account is', () => {
  const ann = entry('ann', 'e-1', 'ann@example.com');
  const dir = indexEntries(config().LdapSettings, [ann, entry('x', 'e-2', 'dup@example.com'), entry('y', 'e-3', 'dup@example.com')]);

  it('by default, by email (case does not matter), whatever its auth_data', () => {
    const saml = config().SamlSettings;
    expect(samlEntry(saml, { email: 'ANN@example.com', auth_data: 'idp-id-not-in-ldap' }, dir)).toBe(ann);
    expect(samlEntry(saml, { email: 'gone@example.com', auth_data: 'e-1' }, dir)).toBeUndefined();
  });

  it('with EnableSyncWithLdapIncludeAuth and a SAML IdAttribute, by auth_data against IdAttribute, without falling back to the email', () => {
    const saml = config({ EnableSyncWithLdapIncludeAuth: true }).SamlSettings;
    expect(samlEntry(saml, { email: 'other@example.com', auth_data: 'e-1' }, dir)).toBe(ann);
    expect(samlEntry(saml, { email: 'ann@example.com', auth_data: 'idp-id-not-in-ldap' }, dir)).toBeUndefined();
  });

  it('with EnableSyncWithLdapIncludeAuth, still by email when there is no SAML IdAttribute or auth_data is the email', () => {
    expect(samlEntry(config({ EnableSyncWithLdapIncludeAuth: true, IdAttribute: '' }).SamlSettings, { email: 'ann@example.com', auth_data: 'x' }, dir)).toBe(
      ann,
    );
    const includeAuth = config({ EnableSyncWithLdapIncludeAuth: true }).SamlSettings;
    expect(samlEntry(includeAuth, { email: 'ann@example.com', auth_data: 'ann@example.com' }, dir)).toBe(ann);
    expect(samlEntry(includeAuth, { email: 'ann@example.com', auth_data: null }, dir)).toBe(ann);
  });

  it('refuses to guess between several entries with the email', () => {
    expect(() => samlEntry(config().SamlSettings, { email: 'dup@example.com', auth_data: 'x' }, dir)).toThrow(/several/);
  });

  it("the identity keeps the account's service and auth_data and asks for no role", () => {
    const a = account({ auth_data: 'idp-7', email: 'ann@example.com' });
    expect(samlIdentityFromEntry(config().LdapSettings, entry('ann', 'e-1', 'ann@example.com', 'Renamed'), a)).toMatchObject({
      service: 'saml',
      authData: 'idp-7',
      email: 'ann@example.com',
      username: 'ann',
      lastName: 'Renamed',
      role: undefined,
    });
  });
});

/** The sync over an in-memory directory and users table; records what it does. */
function harness(cfg: Config, entries: Entry[], rows: UserRow[]) {
  const activations: Array<[string, boolean]> = [];
  const updates: Array<{ user: UserRow; identity: ExternalIdentity }> = [];
  const directory = { open: async () => ({ search: async () => entries, close: async () => undefined }) } as unknown as LdapDirectory;
  const users = { byAuthService: async (service: string) => rows.filter((r) => r.auth_service === service) } as unknown as UsersRepository;
  const usersService = { setActiveByProvider: async (id: string, active: boolean) => void activations.push([id, active]) } as unknown as UsersService;
  const accounts = {
    update: async (user: UserRow, identity: ExternalIdentity) => {
      updates.push({ user, identity });
      return identity.lastName !== user.last_name ? { ...user, last_name: identity.lastName! } : user;
    },
  } as unknown as ExternalAccountsService;
  const sync = new LdapSync(directory, { get: () => cfg } as unknown as ConfigService, users, usersService, accounts);
  const run = () =>
    sync.run(
      async () => undefined,
      () => false,
    );
  return { run, activations, updates };
}

describe('LdapSync with SAML accounts', () => {
  const entries = [entry('ann', 'e-1', 'ann@example.com', 'Renamed'), entry('bo', 'e-2'), entry('lee', 'e-9')];
  const rows = () => {
    const ann = account({ email: 'ann@example.com', auth_data: 'idp-ann', last_name: 'Example' });
    const gone = account({ email: 'gone@example.com', auth_data: 'idp-gone' });
    const back = account({ email: 'bo@example.com', auth_data: 'idp-bo', last_name: 'Example', delete_at: 5 });
    const guest = account({ email: 'guest@example.com', auth_data: 'idp-guest', roles: 'system_guest' });
    const ldap = account({ auth_service: 'ldap', email: 'lee@example.com', auth_data: 'e-9', last_name: 'Example' });
    return { ann, gone, back, guest, ldap, all: [ann, gone, back, guest, ldap] };
  };

  it('leaves SAML accounts alone while EnableSyncWithLdap is off', async () => {
    const r = rows();
    const h = harness(config(), entries, r.all);
    expect(await h.run()).toEqual({ updated: 0, deactivated: 0, reactivated: 0, failed: 0 });
    expect(h.updates.map((u) => u.user.id)).toEqual([r.ldap.id]);
    expect(h.activations).toEqual([]);
  });

  it('with it on: updates a matched account, deactivates one without an entry, reactivates one whose entry is back', async () => {
    const r = rows();
    const h = harness(config({ EnableSyncWithLdap: true }), entries, r.all);
    expect(await h.run()).toEqual({ updated: 1, deactivated: 2, reactivated: 1, failed: 0 });
    expect(h.activations).toEqual([
      [r.gone.id, false],
      [r.back.id, true],
      [r.guest.id, false],
    ]);
    const annUpdate = h.updates.find((u) => u.user.id === r.ann.id)!;
    expect(annUpdate.identity).toMatchObject({ service: 'saml', authData: 'idp-ann', lastName: 'Renamed', role: undefined });
    // The reactivated account is updated as active.
    expect(h.updates.find((u) => u.user.id === r.back.id)!.user.delete_at).toBe(0);
  });

  it('with IgnoreGuestsLdapSync, guests are neither updated nor deactivated', async () => {
    const r = rows();
    const h = harness(config({ EnableSyncWithLdap: true, IgnoreGuestsLdapSync: true }), entries, r.all);
    expect(await h.run()).toMatchObject({ deactivated: 1 });
    expect(h.activations).not.toContainEqual([r.guest.id, false]);
    expect(h.updates.map((u) => u.user.id)).not.toContain(r.guest.id);
  });

  it('counts an account whose email several entries carry as failed and leaves it', async () => {
    const r = rows();
    const dup = [...entries, entry('ann2', 'e-5', 'ANN@example.com')];
    const h = harness(config({ EnableSyncWithLdap: true }), dup, [r.ann]);
    expect(await h.run()).toEqual({ updated: 0, deactivated: 0, reactivated: 0, failed: 1 });
    expect(h.activations).toEqual([]);
  });
});
