/**
 * LDAP / Active Directory sign-in against a real OpenLDAP (Debian's slapd, started per suite by
 * #testing's startSlapd): login over plain LDAP, STARTTLS and LDAPS, first-login accounts, the
 * guest and admin filters, lockout, filter injection, the ldap_sync job, POST /ldap/sync and
 * /ldap/test. The directory is changed during the tests with ldapts, as an administrator would.
 *
 * Settings: the mapping (attributes, filters, BaseDN, the service account) comes from MM_* variables;
 * the connection (port, ConnectionSecurity, SkipCertificateVerification, BindPassword) is switched
 * through PUT /config/patch, as in the System Console, to move between the directories and modes.
 */
import { randomBytes } from 'node:crypto';
import type { Client4 } from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, expectClientError, freePort, NewUser, Slapd, startServer, startSlapd, TestServer, until } from '#testing';

const SUFFIX = 'dc=example,dc=com';
const PEOPLE = `ou=people,${SUFFIX}`;
const INVALID = 'api.user.login.invalid_credentials_email_username';
const LOCKED = 'api.user.check_user_login_attempts.too_many.app_error';
const PERMISSION = 'api.context.permissions.app_error';

let n = 1000;
const pw = (uid: string) => `${uid}-Directory-pw`;
function person(uid: string, extra: string[] = []): string {
  const name = uid[0].toUpperCase() + uid.slice(1);
  return [
    `dn: uid=${uid},${PEOPLE}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${name} Example`,
    `givenName: ${name}`,
    'sn: Example',
    `mail: ${uid}@example.com`,
    `employeeNumber: ${++n}`,
    'title: Engineer',
    `userPassword: ${pw(uid)}`,
    ...extra,
    '',
  ].join('\n');
}
const group = (cn: string, members: string[]) =>
  [`dn: cn=${cn},ou=groups,${SUFFIX}`, 'objectClass: groupOfNames', `cn: ${cn}`, ...members.map((m) => `member: uid=${m},${PEOPLE}`), ''].join('\n');

const LDIF = [
  person('alice', ['displayName: Ally']),
  person('bob'),
  person('gina'),
  person('carol', ['employeeType: disabled']),
  person('dave'),
  person('erin'),
  person('frank'),
  person('ivan'),
  person('lena', ['mail: lena.dir@example.com']).replace('mail: lena@example.com\n', ''),
  person('tess'),
  group('admins', ['bob']),
  group('guests', ['gina']),
].join('\n');

let directory: Slapd;
/** A directory whose certificate no CA the server trusts signed. */
let stranger: Slapd;
let server: TestServer;
let admin: NewUser;
let ldapAdmin: Client;

/** POST /users/login as Client4 sends it, from `address` (behind the trusted X-Forwarded-For header). */
async function login(loginId: string, password: string, opts: { address?: string; ldapOnly?: boolean } = {}) {
  const res = await fetch(`${server.url}/api/v4/users/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': opts.address ?? `10.9.${randomBytes(2).join('.')}` },
    body: JSON.stringify({ login_id: loginId, password, ...(opts.ldapOnly ? { ldap_only: 'true' } : {}) }),
  });
  const body = await res.json();
  return { status: res.status, body, token: res.headers.get('Token') ?? '' };
}

/** A Client4 logged in through the directory. */
async function ldapClient(uid: string, ldapOnly = false): Promise<{ client: Client4; user: UserProfile }> {
  const client = clientFor(server.url);
  const user = await client.login(uid, pw(uid), '', ldapOnly);
  return { client, user };
}

function connection(settings: Record<string, unknown>) {
  return admin.client.patchConfig({ LdapSettings: settings } as any);
}
const plain = () =>
  connection({ LdapPort: directory.port, ConnectionSecurity: '', SkipCertificateVerification: false, BindPassword: directory.servicePassword });

async function finished(jobId: string) {
  return until(
    async () => {
      const job = await admin.client.getJob(jobId);
      return ['success', 'error', 'warning', 'canceled'].includes(job.status) && job;
    },
    30_000,
    `job ${jobId} to finish`,
  );
}

const byUsername = (username: string) => admin.client.getUserByUsername(username);

beforeAll(async () => {
  [directory, stranger] = await Promise.all([startSlapd({ suffix: SUFFIX, ldif: LDIF }), startSlapd({ suffix: SUFFIX })]);
  server = await startServer({
    // INFO: the job schedules are logged (the schedule test reads them).
    MM_LOGSETTINGS_CONSOLELEVEL: 'INFO',
    MM_LOGSETTINGS_CONSOLEJSON: 'false',
    // The server trusts this directory's CA, as it would a company CA in the system store.
    NODE_EXTRA_CA_CERTS: directory.caFile,
    MM_SERVICESETTINGS_TRUSTEDPROXYIPHEADER: 'X-Forwarded-For',
    MM_SERVICESETTINGS_MAXIMUMLOGINATTEMPTS: '3',
    MM_GUESTACCOUNTSSETTINGS_ENABLE: 'true',
    MM_LDAPSETTINGS_ENABLE: 'true',
    MM_LDAPSETTINGS_ENABLESYNC: 'true',
    MM_LDAPSETTINGS_LDAPSERVER: directory.host,
    MM_LDAPSETTINGS_BASEDN: SUFFIX,
    MM_LDAPSETTINGS_BINDUSERNAME: directory.serviceDn,
    MM_LDAPSETTINGS_USERFILTER: '(!(employeeType=disabled))',
    MM_LDAPSETTINGS_GUESTFILTER: `(memberOf=cn=guests,ou=groups,${SUFFIX})`,
    MM_LDAPSETTINGS_ENABLEADMINFILTER: 'true',
    MM_LDAPSETTINGS_ADMINFILTER: `(memberOf=cn=admins,ou=groups,${SUFFIX})`,
    MM_LDAPSETTINGS_IDATTRIBUTE: 'employeeNumber',
    MM_LDAPSETTINGS_LOGINIDATTRIBUTE: 'uid',
    MM_LDAPSETTINGS_USERNAMEATTRIBUTE: 'uid',
    MM_LDAPSETTINGS_EMAILATTRIBUTE: 'mail',
    MM_LDAPSETTINGS_FIRSTNAMEATTRIBUTE: 'givenName',
    MM_LDAPSETTINGS_LASTNAMEATTRIBUTE: 'sn',
    MM_LDAPSETTINGS_NICKNAMEATTRIBUTE: 'displayName',
    MM_LDAPSETTINGS_POSITIONATTRIBUTE: 'title',
    // Pages of 2: the sync reads the directory in several.
    MM_LDAPSETTINGS_MAXPAGESIZE: '2',
    MM_LDAPSETTINGS_QUERYTIMEOUT: '10',
  });
  // The first account of a server is its system admin: made before anyone signs in through LDAP.
  admin = await server.newUser();
  await plain();
  ldapAdmin = await directory.admin();
}, 90_000);

afterAll(async () => {
  await ldapAdmin?.unbind().catch(() => undefined);
  await server?.stop();
  await Promise.all([directory?.stop(), stranger?.stop()]);
});

describe('login through the directory', () => {
  it('makes the account on the first login (auth_service "ldap", the entry\'s attributes), finds it on the next', async () => {
    const { client, user } = await ldapClient('alice');
    expect(user).toMatchObject({
      username: 'alice',
      email: 'alice@example.com',
      first_name: 'Alice',
      last_name: 'Example',
      nickname: 'Ally',
      position: 'Engineer',
      auth_service: 'ldap',
      roles: 'system_user',
    });
    expect((await client.getMe()).id).toBe(user.id);
    const stored = await admin.client.getUser(user.id);
    expect(stored.auth_service).toBe('ldap');
    expect((await ldapClient('alice')).user.id).toBe(user.id);
    // Mattermost's login form for LDAP sends ldap_only.
    expect((await ldapClient('alice', true)).user.id).toBe(user.id);
  });

  it('with ldap_only, checks the directory only, even where a local account has the same name', async () => {
    const local = await server.newUser({ username: 'lena', password: 'Local-Passw0rd!' });
    expect((await login('lena', pw('lena'))).status).toBe(401);
    expect((await login('lena', 'Local-Passw0rd!', { ldapOnly: true })).status).toBe(401);
    const viaLdap = await login('lena', pw('lena'), { ldapOnly: true });
    expect(viaLdap.status).toBe(200);
    // Never merged into the local account: a new one, with a free username.
    expect(viaLdap.body).toMatchObject({ auth_service: 'ldap', email: 'lena.dir@example.com', username: 'lena1' });
    expect((await login('lena', 'Local-Passw0rd!')).body.id).toBe(local.user.id);
  });

  it('refuses a login id that would be filter syntax: the injection finds nobody', async () => {
    const before = (await admin.client.getProfiles(0, 200)).length;
    for (const id of ['*)(uid=*', '*', 'ali*', 'alice)(|(uid=*', '*)(|(objectClass=*', 'alice\\2a']) {
      const answer = await login(id, pw('alice'), { ldapOnly: true });
      expect(answer, id).toMatchObject({ status: 401, body: { id: INVALID } });
      expect((await login(id, pw('alice'))).status, id).toBe(401);
    }
    expect((await admin.client.getProfiles(0, 200)).length).toBe(before);
  });

  it('refuses an entry outside UserFilter, an unknown id and a wrong password with the same answer', async () => {
    for (const [id, password] of [
      ['carol', pw('carol')],
      ['nobody', 'whatever'],
      ['tess', 'wrong'],
    ]) {
      expect(await login(id, password), id).toMatchObject({ status: 401, body: { id: INVALID } });
    }
    await expectClientError(() => byUsername('carol'));
  });

  it('refuses a password login for an LDAP account, even a password an admin set', async () => {
    const { user } = await ldapClient('tess');
    await admin.client.updateUserPassword(user.id, '', 'Local-Passw0rd!');
    expect(await login('tess', 'Local-Passw0rd!')).toMatchObject({ status: 401, body: { id: INVALID } });
    expect(await login('tess@example.com', 'Local-Passw0rd!')).toMatchObject({ status: 401, body: { id: INVALID } });
    expect((await login('tess@example.com', pw('tess'))).body.id).toBe(user.id);
  });

  it('counts wrong directory passwords and locks the login id and address like wrong local ones', async () => {
    const attacker = '198.51.100.77';
    for (let i = 0; i < 3; i++) expect(await login('ivan', 'wrong', { address: attacker })).toMatchObject({ status: 401, body: { id: INVALID } });
    expect(await login('ivan', pw('ivan'), { address: attacker })).toMatchObject({ status: 401, body: { id: LOCKED } });
    // An id the directory does not know locks alike, so a lock tells nothing about the directory.
    for (let i = 0; i < 3; i++) await login('nobody-here', 'wrong', { address: attacker });
    expect(await login('nobody-here', 'wrong', { address: attacker })).toMatchObject({ status: 401, body: { id: LOCKED } });
    // The owner, from elsewhere, is not locked out.
    expect((await login('ivan', pw('ivan'), { address: '192.0.2.10' })).status).toBe(200);
  });
});

describe('roles from GuestFilter and AdminFilter (memberOf)', () => {
  it('makes a member of the admin group a system admin and of the guest group a guest; leaving the group takes it back', async () => {
    expect((await ldapClient('bob')).user.roles).toBe('system_admin system_user');
    expect((await ldapClient('gina')).user.roles).toBe('system_guest');
    await ldapAdmin.modify(
      `cn=admins,ou=groups,${SUFFIX}`,
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [`uid=erin,${PEOPLE}`] }) }),
    );
    expect((await ldapClient('erin')).user.roles).toBe('system_admin system_user');
    await ldapAdmin.modify(
      `cn=admins,ou=groups,${SUFFIX}`,
      new Change({ operation: 'delete', modification: new Attribute({ type: 'member', values: [`uid=erin,${PEOPLE}`] }) }),
    );
    expect((await ldapClient('erin')).user.roles).toBe('system_user');
  });
});

describe('connection security', () => {
  afterAll(plain);

  it('logs in over STARTTLS and LDAPS with the directory certificate checked against the trusted CA', async () => {
    await connection({ ConnectionSecurity: 'STARTTLS' });
    expect((await ldapClient('alice')).user.username).toBe('alice');
    await connection({ ConnectionSecurity: 'TLS', LdapPort: directory.ldapsPort });
    expect((await ldapClient('alice', true)).user.username).toBe('alice');
    expect(await admin.client.testLdap()).toMatchObject({ status: 'OK' });
  });

  it('refuses a directory whose certificate no trusted CA signed, unless SkipCertificateVerification', async () => {
    await connection({ ConnectionSecurity: 'STARTTLS', LdapPort: stranger.port, BindPassword: stranger.servicePassword });
    const refused = await expectClientError(() => admin.client.testLdap());
    expect(refused).toMatchObject({ status_code: 502, server_error_id: 'ent.ldap.do_login.unable_to_connect.app_error' });
    await connection({ ConnectionSecurity: 'TLS', LdapPort: stranger.ldapsPort });
    expect(await expectClientError(() => admin.client.testLdap())).toMatchObject({ server_error_id: 'ent.ldap.do_login.unable_to_connect.app_error' });
    await connection({ SkipCertificateVerification: true });
    expect(await admin.client.testLdap()).toMatchObject({ status: 'OK' });
    await connection({ ConnectionSecurity: 'STARTTLS', LdapPort: stranger.port });
    expect(await admin.client.testLdap()).toMatchObject({ status: 'OK' });
  });
});

describe('POST /ldap/test', () => {
  afterAll(plain);

  it('reports success to an admin and refuses others', async () => {
    expect(await admin.client.testLdap()).toMatchObject({ status: 'OK' });
    const user = await server.newUser();
    expect(await expectClientError(() => user.client.testLdap())).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
  });

  it("reports a service account that cannot bind and a server that does not answer, with Mattermost's ids", async () => {
    await connection({ BindPassword: 'not-the-password' });
    expect(await expectClientError(() => admin.client.testLdap())).toMatchObject({
      status_code: 502,
      server_error_id: 'ent.ldap.do_login.bind_admin_user.app_error',
    });
    await connection({ BindPassword: directory.servicePassword, LdapPort: await freePort() });
    expect(await expectClientError(() => admin.client.testLdap())).toMatchObject({
      status_code: 502,
      server_error_id: 'ent.ldap.do_login.unable_to_connect.app_error',
    });
  });
});

describe('ldap_sync', () => {
  it('POST /ldap/sync queues the job: it deactivates a removed user (sessions revoked) and updates a changed attribute', async () => {
    const dave = await ldapClient('dave');
    const frank = await ldapClient('frank');
    await ldapAdmin.del(`uid=dave,${PEOPLE}`);
    await ldapAdmin.modify(`uid=frank,${PEOPLE}`, [
      new Change({ operation: 'replace', modification: new Attribute({ type: 'sn', values: ['Renamed'] }) }),
      new Change({ operation: 'replace', modification: new Attribute({ type: 'title', values: ['Manager'] }) }),
    ]);
    const before = new Set((await admin.client.getJobsByType('ldap_sync')).map((j) => j.id));
    expect(await admin.client.syncLdap()).toMatchObject({ status: 'OK' });
    const created = await until(async () => (await admin.client.getJobsByType('ldap_sync')).find((j) => !before.has(j.id)), 10_000, 'the ldap_sync job');
    const job = await finished(created.id);
    expect(job.status).toBe('success');
    expect(Number(job.data.deactivated)).toBeGreaterThanOrEqual(1);

    expect((await admin.client.getUser(dave.user.id)).delete_at).toBeGreaterThan(0);
    expect((await expectClientError(() => dave.client.getMe())).status_code).toBe(401);
    expect(await login('dave', pw('dave'))).toMatchObject({ status: 401 });
    expect(await admin.client.getUser(frank.user.id)).toMatchObject({ last_name: 'Renamed', position: 'Manager', delete_at: 0 });
  });

  it('the job (POST /jobs) deactivates who left UserFilter and reactivates who came back', async () => {
    const erin = await ldapClient('erin');
    const run = async () => finished((await admin.client.createJob({ type: 'ldap_sync' } as any)).id);
    const employeeType = (values: string[]) =>
      ldapAdmin.modify(`uid=erin,${PEOPLE}`, new Change({ operation: 'replace', modification: new Attribute({ type: 'employeeType', values }) }));
    await employeeType(['disabled']);
    expect((await run()).status).toBe('success');
    expect((await admin.client.getUser(erin.user.id)).delete_at).toBeGreaterThan(0);
    await employeeType([]);
    const job = await run();
    expect(job).toMatchObject({ status: 'success', data: { reactivated: '1' } });
    expect((await admin.client.getUser(erin.user.id)).delete_at).toBe(0);
    expect((await login('erin', pw('erin'))).status).toBe(200);
  });

  it('the sync is refused to non-admins; the schedule follows SyncIntervalMinutes', async () => {
    const user = await server.newUser();
    expect(await expectClientError(() => user.client.syncLdap())).toMatchObject({ status_code: 403, server_error_id: PERMISSION });
    await connection({ SyncIntervalMinutes: 7 });
    await until(() => server.logs.includes('schedule ldap_sync: {"every":420000}'), 10_000, 'the ldap_sync schedule');
  });
});
