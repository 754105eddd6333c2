/**
 * SamlSettings.EnableSyncWithLdap (Mattermost's "SAML synchronization with AD/LDAP") against a real
 * directory and a real IdP: Debian's slapd (#testing's startSlapd) and SimpleSAMLphp
 * (startSimpleSamlPhp). Every SAML account here is made by a whole SAML sign-in through the IdP's
 * login form; the directory is then changed with ldapts, as an administrator would, and the
 * ldap_sync job is run through POST /jobs. AD/LDAP sign-in itself stays off (LdapSettings.Enable
 * false, EnableSync true), the set-up Mattermost's guide describes for SAML sign-in with an AD/LDAP
 * sync.
 *
 * The directory and the IdP describe the same people: uid, mail and employeeNumber alike in both
 * (SamlSettings.IdAttribute and LdapSettings.IdAttribute are both employeeNumber), except una,
 * whose IdP email is not her directory email.
 */
import type { Client4 } from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  expectClientError,
  NewUser,
  postToAcs,
  signInAtIdp,
  SimpleSamlPhp,
  Slapd,
  startSamlSignIn,
  startServer,
  startSimpleSamlPhp,
  startSlapd,
  TestServer,
  until,
  type AcsAnswer,
  type SamlTestUser,
} from '#testing';

const SUFFIX = 'dc=example,dc=com';
const PEOPLE = `ou=people,${SUFFIX}`;
const IDP_PASSWORD = 'idp-Passw0rd';
const INACTIVE = 'api.user.login.inactive.app_error';
const NAMES = ['sara', 'sid', 'tom', 'gus', 'una'];

const capital = (uid: string) => uid[0].toUpperCase() + uid.slice(1);
const directoryEmail = (uid: string) => `${uid}@example.com`;

function person(uid: string): string {
  return [
    `dn: uid=${uid},${PEOPLE}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${capital(uid)} Example`,
    `givenName: ${capital(uid)}`,
    'sn: Example',
    `mail: ${directoryEmail(uid)}`,
    `employeeNumber: e-${uid}`,
    'title: Engineer',
    '',
  ].join('\n');
}

function idpUser(uid: string): SamlTestUser {
  return {
    username: uid,
    password: IDP_PASSWORD,
    attributes: {
      employeeNumber: `e-${uid}`,
      uid,
      mail: uid === 'una' ? 'una@saml.test' : directoryEmail(uid),
      givenName: capital(uid),
      sn: 'Example',
      title: 'Engineer',
      role: uid === 'gus' ? 'guest' : 'member',
    },
  };
}

let directory: Slapd;
let idp: SimpleSamlPhp;
let server: TestServer;
let admin: NewUser;
let ldapAdmin: Client;
let acs: string;

const samlSettings = (settings: Record<string, unknown>) => admin.client.patchConfig({ SamlSettings: settings } as never);

/** A whole SAML sign-in as `uid`: the server's redirect, the IdP's login form, its answer posted to the ACS. */
async function samlSignIn(uid: string): Promise<AcsAnswer> {
  const start = await startSamlSignIn(server.url);
  expect(start.status, `start: ${start.location}`).toBe(302);
  const form = await signInAtIdp(start.location, uid, IDP_PASSWORD);
  return postToAcs(form.action, form.fields);
}

/** Signs `uid` in through SAML; the account and a client on the session the sign-in made. */
async function samlAccount(uid: string): Promise<{ user: UserProfile; client: Client4 }> {
  const answer = await samlSignIn(uid);
  expect(answer.error, `refused: ${JSON.stringify(answer.error)}`).toBeUndefined();
  expect(answer.token, 'a session cookie').toBeTruthy();
  const client = clientFor(server.url);
  client.setToken(answer.token!);
  const user = await client.getMe();
  expect(user.auth_service).toBe('saml');
  return { user, client };
}

/** Runs the ldap_sync job (POST /jobs) and waits for it; the finished job. */
async function sync() {
  const { id } = await admin.client.createJob({ type: 'ldap_sync' } as never);
  return until(
    async () => {
      const job = await admin.client.getJob(id);
      return ['success', 'error', 'warning', 'canceled'].includes(job.status) && job;
    },
    30_000,
    `ldap_sync job ${id}`,
  );
}

const replace = (uid: string, type: string, values: string[]) =>
  ldapAdmin.modify(`uid=${uid},${PEOPLE}`, new Change({ operation: 'replace', modification: new Attribute({ type, values }) }));

const isActive = async (userId: string) => (await admin.client.getUser(userId)).delete_at === 0;

beforeAll(async () => {
  directory = await startSlapd({ suffix: SUFFIX, ldif: NAMES.map(person).join('\n') });
  server = await startServer({
    MM_GUESTACCOUNTSSETTINGS_ENABLE: 'true',
    // AD/LDAP sign-in off, its sync on: the directory serves only the SAML accounts' sync.
    MM_LDAPSETTINGS_ENABLE: 'false',
    MM_LDAPSETTINGS_ENABLESYNC: 'true',
    ...directory.serverEnv(),
    MM_LDAPSETTINGS_USERFILTER: '(!(employeeType=disabled))',
    MM_LDAPSETTINGS_IDATTRIBUTE: 'employeeNumber',
    MM_LDAPSETTINGS_USERNAMEATTRIBUTE: 'uid',
    MM_LDAPSETTINGS_EMAILATTRIBUTE: 'mail',
    MM_LDAPSETTINGS_FIRSTNAMEATTRIBUTE: 'givenName',
    MM_LDAPSETTINGS_LASTNAMEATTRIBUTE: 'sn',
    MM_LDAPSETTINGS_POSITIONATTRIBUTE: 'title',
  });
  admin = await server.newUser();
  acs = `${server.url}/login/sso/saml`;
  idp = await startSimpleSamlPhp({ users: NAMES.map(idpUser), serviceProviders: [{ entityId: 'mmchat-sync', acsUrl: acs }] });
  await admin.client.uploadIdpSamlCertificate(new File([idp.certificate], 'idp.crt'));
  await samlSettings({
    Enable: true,
    IdpURL: idp.ssoUrl,
    IdpDescriptorURL: idp.entityId,
    ServiceProviderIdentifier: 'mmchat-sync',
    AssertionConsumerServiceURL: acs,
    Verify: true,
    Encrypt: false,
    SignRequest: false,
    SignatureAlgorithm: 'RSAwithSHA256',
    IdAttribute: 'employeeNumber',
    EmailAttribute: 'mail',
    UsernameAttribute: 'uid',
    FirstNameAttribute: 'givenName',
    LastNameAttribute: 'sn',
    PositionAttribute: 'title',
    GuestAttribute: 'role=guest',
    EnableSyncWithLdap: false,
  });
  ldapAdmin = await directory.admin();
}, 90_000);

afterAll(async () => {
  await ldapAdmin?.unbind().catch(() => undefined);
  await server?.stop();
  await Promise.all([idp?.stop(), directory?.stop()]);
});

describe('SamlSettings.EnableSyncWithLdap', () => {
  let sara: { user: UserProfile; client: Client4 };
  let sid: { user: UserProfile; client: Client4 };

  it('off: the sync leaves SAML accounts alone, whatever the directory says', async () => {
    sara = await samlAccount('sara');
    sid = await samlAccount('sid');
    await replace('sara', 'sn', ['Renamed']);
    await replace('sara', 'title', ['Manager']);
    await ldapAdmin.del(`uid=sid,${PEOPLE}`);

    const job = await sync();
    expect(job).toMatchObject({ status: 'success', data: { updated: '0', deactivated: '0', reactivated: '0', failed: '0' } });
    expect(await admin.client.getUser(sara.user.id)).toMatchObject({ last_name: 'Example', position: 'Engineer', delete_at: 0 });
    expect(await isActive(sid.user.id)).toBe(true);
    expect((await sid.client.getMe()).id).toBe(sid.user.id);
  });

  it('on: a changed entry updates the account; a removed one deactivates it, ends its sessions, and SAML sign-in is refused', async () => {
    await samlSettings({ EnableSyncWithLdap: true });
    const job = await sync();
    expect(job).toMatchObject({ status: 'success', data: { updated: '1', deactivated: '1', failed: '0' } });
    // Matched by email (Mattermost's default binding): attributes follow the directory, the way it signs in does not.
    expect(await admin.client.getUser(sara.user.id)).toMatchObject({
      last_name: 'Renamed',
      position: 'Manager',
      auth_service: 'saml',
      auth_data: 'e-sara',
      roles: 'system_user',
      delete_at: 0,
    });

    expect((await admin.client.getUser(sid.user.id)).delete_at).toBeGreaterThan(0);
    expect((await expectClientError(() => sid.client.getMe())).status_code).toBe(401);
    const refused = await samlSignIn('sid');
    expect(refused.error?.id, refused.location).toBe(INACTIVE);
    expect(refused.token).toBeUndefined();
    // The IdP still vouches for sara, who is in the directory: she signs in.
    expect((await samlAccount('sara')).user.id).toBe(sara.user.id);
  });

  it('who leaves UserFilter is deactivated; who comes back (or whose entry is added again) is activated and signs in', async () => {
    const tom = await samlAccount('tom');
    await replace('tom', 'employeeType', ['disabled']);
    expect(await sync()).toMatchObject({ status: 'success', data: { deactivated: '1' } });
    expect(await isActive(tom.user.id)).toBe(false);
    expect((await samlSignIn('tom')).error?.id).toBe(INACTIVE);

    await replace('tom', 'employeeType', []);
    directory.add(person('sid'));
    expect(await sync()).toMatchObject({ status: 'success', data: { reactivated: '2', deactivated: '0' } });
    expect(await isActive(tom.user.id)).toBe(true);
    expect(await isActive(sid.user.id)).toBe(true);
    expect((await samlAccount('tom')).user.id).toBe(tom.user.id);
    expect((await samlAccount('sid')).user.id).toBe(sid.user.id);
  });

  it('IgnoreGuestsLdapSync: a SAML guest without an entry is kept while it is on, deactivated once it is off', async () => {
    const gus = await samlAccount('gus');
    expect(gus.user.roles).toBe('system_guest');
    await ldapAdmin.del(`uid=gus,${PEOPLE}`);
    await samlSettings({ IgnoreGuestsLdapSync: true });
    expect(await sync()).toMatchObject({ status: 'success', data: { deactivated: '0' } });
    expect(await isActive(gus.user.id)).toBe(true);
    expect((await gus.client.getMe()).id).toBe(gus.user.id);

    await samlSettings({ IgnoreGuestsLdapSync: false });
    expect(await sync()).toMatchObject({ status: 'success', data: { deactivated: '1' } });
    expect(await isActive(gus.user.id)).toBe(false);
    expect((await samlSignIn('gus')).error?.id).toBe(INACTIVE);
  });

  it('EnableSyncWithLdapIncludeAuth: matched by the SAML id against IdAttribute instead of by email', async () => {
    // una's IdP email is not her directory email; her SAML id is her directory id.
    const una = await samlAccount('una');
    expect(una.user.email).toBe('una@saml.test');
    expect(await sync()).toMatchObject({ status: 'success', data: { deactivated: '1' } });
    expect(await isActive(una.user.id)).toBe(false);

    await samlSettings({ EnableSyncWithLdapIncludeAuth: true });
    expect(await sync()).toMatchObject({ status: 'success', data: { reactivated: '1', deactivated: '0', failed: '0' } });
    // Found by employeeNumber: active again, with the directory's email; she signs in by her SAML id.
    expect(await admin.client.getUser(una.user.id)).toMatchObject({ delete_at: 0, email: directoryEmail('una'), auth_data: 'e-una' });
    expect((await samlAccount('una')).user.id).toBe(una.user.id);
    // The others are matched by id as well: nobody else changed.
    expect(await isActive(sara.user.id)).toBe(true);
  });
});
