/**
 * SAML 2.0 sign-in against a real IdP: SimpleSAMLphp (libs/testing/src/sso/simplesamlphp.ts),
 * driven through its own login form. The server is configured and its certificates uploaded with
 * Client4, as the System Console does; every sign-in goes through GET /login/sso/saml (redirect
 * binding) and the IdP's form posted to POST /login/sso/saml (POST binding). Each refusal is
 * checked for its reason and for the absence of a session cookie and of an account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { UserProfile } from '@mattermost/types/users';
import {
  certificateBody,
  clientFor,
  expectClientError,
  handMadeAuthnRequestUrl,
  NewUser,
  postToAcs,
  selfSignedCertificate,
  signInAtIdp,
  SimpleSamlPhp,
  startSamlSignIn,
  startServer,
  startSimpleSamlPhp,
  TestServer,
  type AcsAnswer,
  type KeyPair,
  type SamlServiceProviderEntry,
  type SamlTestUser,
} from '#testing';

const ENTITY = 'http://idp.saml.test/metadata';
const PASSWORD = 'idp-Passw0rd';

/** What every sign-in maps (the attribute settings) and how roles are given. */
const ATTRIBUTE_SETTINGS = {
  IdAttribute: 'employeeNumber',
  EmailAttribute: 'mail',
  UsernameAttribute: 'uid',
  FirstNameAttribute: 'givenName',
  LastNameAttribute: 'sn',
  NicknameAttribute: 'displayName',
  PositionAttribute: 'title',
  LocaleAttribute: 'preferredLanguage',
  GuestAttribute: 'role=guest',
  EnableAdminAttribute: true,
  AdminAttribute: 'role=admin',
};

function idpUser(name: string, extra: Record<string, string | string[]> = {}): SamlTestUser {
  return {
    username: name,
    password: PASSWORD,
    attributes: {
      employeeNumber: `e-${name}`,
      uid: name,
      mail: `${name}@saml.test`,
      givenName: name[0].toUpperCase() + name.slice(1),
      sn: 'Tester',
      displayName: `${name}-nick`,
      title: 'Engineer',
      preferredLanguage: 'de',
      role: 'member',
      ...extra,
    },
  };
}

let server: TestServer;
let admin: NewUser;
let sp: KeyPair;
let idp: SimpleSamlPhp;
let otherKeyIdp: SimpleSamlPhp;
let clockAheadIdp: SimpleSamlPhp;
let users: SamlTestUser[];
let acs: string;

const cfgPatch = (settings: Record<string, unknown>) => admin.client.patchConfig({ SamlSettings: settings } as never);

/** The server set up for one scenario: this SP entity at `via`, with the given switches. */
function useSp(entityId: string, opts: { via?: SimpleSamlPhp; Verify?: boolean; Encrypt?: boolean; SignRequest?: boolean } = {}) {
  return cfgPatch({
    Enable: true,
    IdpURL: (opts.via ?? idp).ssoUrl,
    IdpDescriptorURL: ENTITY,
    ServiceProviderIdentifier: entityId,
    AssertionConsumerServiceURL: acs,
    Verify: opts.Verify ?? true,
    Encrypt: opts.Encrypt ?? false,
    SignRequest: opts.SignRequest ?? false,
    SignatureAlgorithm: 'RSAwithSHA256',
  });
}

/** A whole sign-in as `username`: start, IdP login, post. Returns the server's answer to the post. */
async function signIn(username: string, query: Record<string, string> = {}): Promise<AcsAnswer> {
  const start = await startSamlSignIn(server.url, query);
  expect(start.status, `start: ${start.location}`).toBe(302);
  const form = await signInAtIdp(start.location, username, PASSWORD);
  expect(form.action).toBe(acs);
  return postToAcs(form.action, form.fields);
}

/** The IdP's form for a sign-in the server started, before it is posted (for tests that change or replay it). */
async function idpForm(username: string, query: Record<string, string> = {}) {
  const start = await startSamlSignIn(server.url, query);
  return { start, form: await signInAtIdp(start.location, username, PASSWORD) };
}

function clientWith(token: string): Client4 {
  const c = clientFor(server.url);
  c.setToken(token);
  return c;
}

async function me(answer: AcsAnswer): Promise<UserProfile> {
  expect(answer.error, `refused: ${JSON.stringify(answer.error)}`).toBeUndefined();
  expect(answer.token, 'a session cookie').toBeTruthy();
  return clientWith(answer.token!).getMe();
}

/** A refusal: the error page with `id`, no session cookie. */
function expectRefused(answer: AcsAnswer, id: string) {
  expect(answer.status).toBe(302);
  expect(answer.error?.id, `answer: ${answer.location}`).toBe(id);
  expect(answer.error?.message.length).toBeGreaterThan(20);
  expect(answer.token).toBeUndefined();
  expect(answer.setCookies.filter((c) => c.startsWith('MMAUTHTOKEN=') || c.startsWith('MMUSERID='))).toEqual([]);
}

async function userByEmail(email: string): Promise<UserProfile | undefined> {
  try {
    return await admin.client.getUserByEmail(email);
  } catch {
    return undefined;
  }
}

const decode = (samlResponse: string) => Buffer.from(samlResponse, 'base64').toString('utf8');
const encode = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
const file = (text: string, name: string) => new File([text], name);

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  acs = `${server.url}/login/sso/saml`;
  sp = selfSignedCertificate('mmchat-sp');
  users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gwen', 'adam', 'mia', 'nora', 'olga', 'pete', 'rita', 'sam', 'tess'].map((n) =>
    idpUser(n, n === 'gwen' ? { role: 'guest' } : n === 'adam' ? { role: ['member', 'admin'] } : {}),
  );
  const sps: SamlServiceProviderEntry[] = [
    { entityId: 'mmchat-signed', acsUrl: acs },
    { entityId: 'mmchat-other', acsUrl: acs },
    { entityId: 'mmchat-encrypted', acsUrl: acs, certificate: sp.certificate, encryptAssertion: true, requireSignedRequests: true },
    { entityId: 'mmchat-unsigned', acsUrl: acs, signAssertion: false, signResponse: false },
    { entityId: 'mmchat-response-signed', acsUrl: acs, signAssertion: false, signResponse: true },
    { entityId: 'mmchat-expired', acsUrl: acs, assertionLifetimeSeconds: -600 },
    { entityId: 'mmchat-wrongacs', acsUrl: 'http://127.0.0.1:9/elsewhere/acs' },
  ];
  idp = await startSimpleSamlPhp({ entityId: ENTITY, users, serviceProviders: sps });
  // The same IdP (entity id) with another key, and with the right key but a clock an hour ahead.
  otherKeyIdp = await startSimpleSamlPhp({ entityId: ENTITY, users, serviceProviders: sps });
  clockAheadIdp = await startSimpleSamlPhp({ entityId: ENTITY, key: idp.key, users, serviceProviders: sps, clockOffset: '+1h' });
  await cfgPatch({ ...ATTRIBUTE_SETTINGS });
  await admin.client.patchConfig({ GuestAccountsSettings: { Enable: true } } as never);
}, 90_000);

afterAll(async () => {
  await Promise.all([idp?.stop(), otherKeyIdp?.stop(), clockAheadIdp?.stop()]);
  await server?.stop();
});

describe('certificates and metadata (System Console, through Client4)', () => {
  it('uploads the IdP certificate, the SP certificate and key; status and metadata follow', async () => {
    expect(await admin.client.getSamlCertificateStatus()).toEqual({ idp_certificate_file: false, public_certificate_file: false, private_key_file: false });
    await admin.client.uploadIdpSamlCertificate(file(idp.certificate, 'idp.crt'));
    await admin.client.uploadPublicSamlCertificate(file(sp.certificate, 'sp.crt'));
    await admin.client.uploadPrivateSamlCertificate(file(sp.privateKey, 'sp.key'));
    expect(await admin.client.getSamlCertificateStatus()).toEqual({ idp_certificate_file: true, public_certificate_file: true, private_key_file: true });
    const saml = (await admin.client.getConfig()).SamlSettings;
    expect([saml.IdpCertificateFile, saml.PublicCertificateFile, saml.PrivateKeyFile]).toEqual(['saml-idp.crt', 'saml-public.crt', 'saml-private.key']);

    await useSp('mmchat-encrypted', { Encrypt: true, SignRequest: true });
    const res = await fetch(`${server.url}/api/v4/saml/metadata`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    const xml = await res.text();
    expect(xml).toContain('entityID="mmchat-encrypted"');
    expect(xml).toContain(`Location="${acs}"`);
    expect(xml).toMatch(/KeyDescriptor use="encryption"/);
    expect(xml).toMatch(/KeyDescriptor use="signing"/);
    expect(xml.replace(/\s+/g, '')).toContain(certificateBody(sp.certificate));
    expect(xml).toContain('http://www.w3.org/2001/10/xml-exc-c14n#'); // CanonicalAlgorithm Canonical1.0
    expect(xml).toContain('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'); // SignatureAlgorithm
  });

  it('refuses files that are not certificates or keys, and uploads from non-admins', async () => {
    const bad = await expectClientError(() => admin.client.uploadIdpSamlCertificate(file('not a certificate', 'x.crt')));
    expect(bad.status_code).toBe(400);
    const badKey = await expectClientError(() => admin.client.uploadPrivateSamlCertificate(file(sp.certificate, 'x.key')));
    expect(badKey.status_code).toBe(400);
    const user = await server.newUser();
    expect((await expectClientError(() => user.client.uploadIdpSamlCertificate(file(idp.certificate, 'idp.crt')))).status_code).toBe(403);
    expect((await expectClientError(() => user.client.getSamlCertificateStatus())).status_code).toBe(403);
    expect(await admin.client.getSamlCertificateStatus()).toEqual({ idp_certificate_file: true, public_certificate_file: true, private_key_file: true });
  });

  it("reads an IdP's metadata only where the outgoing-request guard allows, and takes its certificate", async () => {
    const refused = await expectClientError(() => admin.client.getSamlMetadataFromIdp(idp.metadataUrl));
    expect(refused.status_code).toBe(400);
    expect(refused.server_error_id).toBe('api.admin.saml.failure_get_metadata_from_idp.app_error');
    await admin.client.patchConfig({ ServiceSettings: { AllowedUntrustedInternalConnections: '127.0.0.1' } } as never);
    try {
      const metadata = await admin.client.getSamlMetadataFromIdp(idp.metadataUrl);
      expect(metadata).toEqual({ idp_descriptor_url: ENTITY, idp_url: idp.ssoUrl, idp_public_certificate: certificateBody(idp.certificate) });
      await admin.client.setSamlIdpCertificateFromMetadata(metadata.idp_public_certificate);
      expect((await admin.client.getSamlCertificateStatus()).idp_certificate_file).toBe(true);
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { AllowedUntrustedInternalConnections: '' } } as never);
    }
  });
});

describe('sign-in round trips', () => {
  it('signed assertions: the first sign-in makes the account, later ones update it', async () => {
    await useSp('mmchat-signed');
    const first = await signIn('alice');
    expect(first.status).toBe(302);
    expect(first.location).toBe(`${server.url}/`);
    const alice = await me(first);
    expect(alice).toMatchObject({
      auth_service: 'saml',
      username: 'alice',
      email: 'alice@saml.test',
      first_name: 'Alice',
      last_name: 'Tester',
      nickname: 'alice-nick',
      position: 'Engineer',
      locale: 'de',
      roles: 'system_user',
    });
    expect((await admin.client.getUser(alice.id)).auth_data).toBe('e-alice');

    idp.setUsers(users.map((u) => (u.username === 'alice' ? { ...u, attributes: { ...u.attributes, givenName: 'Alicia', title: 'Lead' } } : u)));
    try {
      const again = await me(await signIn('alice'));
      expect(again).toMatchObject({ id: alice.id, first_name: 'Alicia', position: 'Lead' });
    } finally {
      idp.setUsers(users);
    }
    // A SAML account has no password to log in with.
    const pw = await expectClientError(() => clientFor(server.url).login('alice', PASSWORD));
    expect(pw.status_code).toBeGreaterThanOrEqual(400);
  });

  it('signed and encrypted assertions, with signed AuthnRequests the IdP checks', async () => {
    await useSp('mmchat-encrypted', { Encrypt: true, SignRequest: true });
    const bob = await me(await signIn('bob'));
    expect(bob).toMatchObject({ auth_service: 'saml', email: 'bob@saml.test' });
    // The IdP really checks the signature: an unsigned request is refused there.
    await useSp('mmchat-encrypted', { Encrypt: true, SignRequest: false });
    const start = await startSamlSignIn(server.url);
    await expect(signInAtIdp(start.location, 'bob', PASSWORD)).rejects.toThrow(/signature/i);
  });

  it('guest and admin attributes give the roles; the IdP takes admin away again', async () => {
    await useSp('mmchat-signed');
    await admin.client.patchConfig({ GuestAccountsSettings: { Enable: false } } as never);
    try {
      expectRefused(await signIn('gwen'), 'api.user.login.guest_accounts.disabled.error');
    } finally {
      await admin.client.patchConfig({ GuestAccountsSettings: { Enable: true } } as never);
    }
    expect((await me(await signIn('gwen'))).roles).toBe('system_guest');
    expect((await me(await signIn('adam'))).roles).toBe('system_admin system_user');
    idp.setUsers(users.map((u) => (u.username === 'adam' ? { ...u, attributes: { ...u.attributes, role: 'member' } } : u)));
    try {
      expect((await me(await signIn('adam'))).roles).toBe('system_user');
    } finally {
      idp.setUsers(users);
    }
  });

  it('a site path as redirect_to is where the browser ends', async () => {
    await useSp('mmchat-signed');
    const answer = await signIn('carol', { redirect_to: '/team/channels/town-square' });
    await me(answer);
    expect(answer.location).toBe(`${server.url}/team/channels/town-square`);
  });

  it('the mobile app gets its token on its own scheme', async () => {
    await useSp('mmchat-signed');
    const answer = await signIn('dave', { action: 'mobile', redirect_to: 'mmauth://callback' });
    expect(answer.status).toBe(200);
    const link = /href="(mmauth:\/\/callback\?[^"]+)"/.exec(answer.body)?.[1]?.replace(/&amp;|&#38;/g, '&');
    expect(link).toBeTruthy();
    const token = new URL(link!).searchParams.get('MMAUTHTOKEN');
    expect(new URL(link!).searchParams.get('MMCSRF')).toBeTruthy();
    expect((await clientWith(token!).getMe()).email).toBe('dave@saml.test');
  });

  it('a failed mobile sign-in is handed to the app with the reason', async () => {
    await useSp('mmchat-unsigned');
    const { form } = await idpForm('dave', { action: 'mobile', redirect_to: 'mmauth://callback' });
    const answer = await postToAcs(form.action, form.fields);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/mmauth:\/\/callback\?error=/);
    expect(answer.token).toBeUndefined();
  });

  it('refuses redirect targets outside the site (no open redirect), before the IdP is asked', async () => {
    await useSp('mmchat-signed');
    const queries: Array<Record<string, string>> = [
      { redirect_to: 'https://evil.example/' },
      { redirect_to: '//evil.example/x' },
      { redirect_to: 'mmauth://callback' }, // an app scheme only for action=mobile
      { action: 'mobile', redirect_to: 'evilapp://callback' },
      { action: 'bogus' },
    ];
    for (const query of queries) {
      const start = await startSamlSignIn(server.url, query);
      expect(start.status, JSON.stringify(query)).toBe(302);
      expect(new URL(start.location).pathname, JSON.stringify(query)).toBe('/error');
      expect(start.samlRequest).toBeUndefined();
    }
  });
});

describe('refused responses: a reason, no session, no account', () => {
  it('an unsigned assertion while Verify is on', async () => {
    await useSp('mmchat-unsigned');
    expectRefused(await signIn('erin'), 'ent.saml.do_login.invalid_signature.app_error');
    expect(await userByEmail('erin@saml.test')).toBeUndefined();
  });

  it('Verify wants the assertion signed: a signed response alone is refused with it, taken without it', async () => {
    await useSp('mmchat-response-signed');
    expectRefused(await signIn('erin'), 'ent.saml.do_login.invalid_signature.app_error');
    await useSp('mmchat-response-signed', { Verify: false });
    expect((await me(await signIn('erin'))).email).toBe('erin@saml.test');
  });

  it('an assertion signed by another key', async () => {
    await useSp('mmchat-signed', { via: otherKeyIdp });
    expectRefused(await signIn('frank'), 'ent.saml.do_login.invalid_signature.app_error');
    expect(await userByEmail('frank@saml.test')).toBeUndefined();
  });

  it('an expired assertion', async () => {
    await useSp('mmchat-expired');
    expectRefused(await signIn('frank'), 'ent.saml.do_login.invalid_time.app_error');
  });

  it('an assertion not yet valid (an IdP whose clock is an hour ahead)', async () => {
    await useSp('mmchat-signed', { via: clockAheadIdp });
    expectRefused(await signIn('frank'), 'ent.saml.do_login.invalid_time.app_error');
    expect(await userByEmail('frank@saml.test')).toBeUndefined();
  });

  it('an assertion for another service provider (wrong Audience), answering our own request id', async () => {
    await useSp('mmchat-signed');
    const start = await startSamlSignIn(server.url);
    // The attacker asks the IdP in another SP's name, reusing the request id and RelayState the
    // server just issued.
    const url = handMadeAuthnRequestUrl({ ssoUrl: idp.ssoUrl, issuer: 'mmchat-other', acsUrl: acs, id: start.requestId, relayState: start.relayState });
    const form = await signInAtIdp(url, 'frank', PASSWORD);
    expectRefused(await postToAcs(acs, form.fields), 'ent.saml.do_login.invalid_audience.app_error');
  });

  it('a response the IdP addressed to another endpoint (Recipient and Destination)', async () => {
    await useSp('mmchat-wrongacs');
    const { form } = await idpForm('frank');
    expect(form.action).toBe('http://127.0.0.1:9/elsewhere/acs');
    expect(decode(form.fields.SAMLResponse)).toContain('Destination="http://127.0.0.1:9/elsewhere/acs"');
    expectRefused(await postToAcs(acs, form.fields), 'ent.saml.do_login.invalid_destination.app_error');
    // The response element is not signed: without its Destination, the signed Recipient still tells.
    const second = await idpForm('frank');
    const stripped = decode(second.form.fields.SAMLResponse).replace(/ Destination="[^"]*"/, '');
    expectRefused(await postToAcs(acs, { ...second.form.fields, SAMLResponse: encode(stripped) }), 'ent.saml.do_login.invalid_recipient.app_error');
    expect(await userByEmail('frank@saml.test')).toBeUndefined();
  });

  it('an unencrypted assertion while Encrypt is on', async () => {
    await useSp('mmchat-signed', { Encrypt: true });
    expectRefused(await signIn('frank'), 'ent.saml.do_login.not_encrypted.app_error');
  });

  it('a replayed response: the same post twice, and with a fresh RelayState', async () => {
    await useSp('mmchat-signed');
    const { form } = await idpForm('mia');
    await me(await postToAcs(acs, form.fields));
    expectRefused(await postToAcs(acs, form.fields), 'ent.saml.do_login.invalid_relay_state.app_error');
    const fresh = await startSamlSignIn(server.url);
    expectRefused(await postToAcs(acs, { ...form.fields, RelayState: fresh.relayState! }), 'ent.saml.do_login.invalid_in_response_to.app_error');
  });

  it('responses to AuthnRequests the server never issued: IdP-initiated, and a request the attacker wrote', async () => {
    await useSp('mmchat-signed');
    const unsolicited = await signInAtIdp(`${idp.ssoUrl}?spentityid=mmchat-signed`, 'nora', PASSWORD);
    expectRefused(await postToAcs(acs, unsolicited.fields), 'ent.saml.do_login.invalid_relay_state.app_error');
    // With a RelayState the server did issue (to the attacker's own browser):
    const stolen = await startSamlSignIn(server.url);
    const withRelay = await signInAtIdp(`${idp.ssoUrl}?spentityid=mmchat-signed&RelayState=${stolen.relayState}`, 'nora', PASSWORD);
    expectRefused(await postToAcs(acs, { ...withRelay.fields, RelayState: stolen.relayState! }), 'ent.saml.do_login.invalid_in_response_to.app_error');
    const another = await startSamlSignIn(server.url);
    const written = await signInAtIdp(handMadeAuthnRequestUrl({ ssoUrl: idp.ssoUrl, issuer: 'mmchat-signed', acsUrl: acs }), 'nora', PASSWORD);
    expectRefused(await postToAcs(acs, { ...written.fields, RelayState: another.relayState! }), 'ent.saml.do_login.invalid_in_response_to.app_error');
    expect(await userByEmail('nora@saml.test')).toBeUndefined();
  });

  describe('XML signature wrapping: a real signed response, its signed assertion moved and an evil one inserted', () => {
    /** The signed assertion of a response, and the response around it. */
    function split(xml: string) {
      const m = /<saml:Assertion\b[\s\S]*<\/saml:Assertion>/.exec(xml);
      if (!m) throw new Error(`no assertion in ${xml.slice(0, 300)}`);
      return { before: xml.slice(0, m.index), assertion: m[0], after: xml.slice(m.index + m[0].length) };
    }
    /** The assertion with the attacker's person in it (same signature element, now covering nothing it shows). */
    const evil = (assertion: string) => assertion.replace(/olga/g, 'mallory').replace(/e-mallory/g, 'e-olga');

    async function attempt(build: (parts: ReturnType<typeof split>) => string): Promise<AcsAnswer> {
      await useSp('mmchat-signed');
      const { form } = await idpForm('olga');
      const parts = split(decode(form.fields.SAMLResponse));
      return postToAcs(acs, { ...form.fields, SAMLResponse: encode(build(parts)) });
    }

    it('evil assertion in place, the signed one moved into Extensions', async () => {
      const answer = await attempt(({ before, assertion, after }) => {
        const withExtensions = before.replace(/(<\/saml:Issuer>)/, `$1<samlp:Extensions>${assertion}</samlp:Extensions>`);
        return withExtensions + evil(assertion).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '') + after;
      });
      expectRefused(answer, 'ent.saml.do_login.invalid_signature.app_error');
    });

    it('evil assertion keeping the signature, the signed one moved inside it', async () => {
      const answer = await attempt(({ before, assertion, after }) => {
        const bad = evil(assertion);
        // The signed original goes inside the evil copy's Signature Object; the copy keeps the original's ID.
        return before + bad.replace(/<\/ds:Signature>/, `<ds:Object>${assertion}</ds:Object></ds:Signature>`) + after;
      });
      expectRefused(answer, 'ent.saml.do_login.invalid_signature.app_error');
    });

    it('evil assertion next to the signed one', async () => {
      const answer = await attempt(
        ({ before, assertion, after }) => before + evil(assertion).replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '') + assertion + after,
      );
      expectRefused(answer, 'ent.saml.do_login.invalid_signature.app_error');
    });

    it('nobody signed in as the attacker', async () => {
      expect(await userByEmail('mallory@saml.test')).toBeUndefined();
    });
  });
});

describe('removing certificates and resetting auth data', () => {
  it('POST /saml/reset_auth_data moves SAML accounts to their email as auth_data (dry run first)', async () => {
    const call = async (body: unknown) => {
      const res = await fetch(`${server.url}/api/v4/saml/reset_auth_data`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin.client.getToken()}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    };
    const alice = await admin.client.getUserByEmail('alice@saml.test');
    const dry = await call({ dry_run: true });
    expect(dry.status).toBe(200);
    expect(dry.body.num_affected).toBeGreaterThanOrEqual(5);
    expect((await admin.client.getUser(alice.id)).auth_data).toBe('e-alice');
    const only = await call({ user_ids: [alice.id] });
    expect(only.body).toEqual({ num_affected: 1 });
    expect((await admin.client.getUser(alice.id)).auth_data).toBe('alice@saml.test');
    const all = await call({});
    expect(all.body.num_affected).toBe(dry.body.num_affected - 1);
    expect((await call({ user_ids: 'nope' })).status).toBe(400);
    // Without IdAttribute, auth_data is the email: the accounts sign in as before.
    await cfgPatch({ IdAttribute: '' });
    await useSp('mmchat-signed');
    expect((await me(await signIn('alice'))).id).toBe(alice.id);
  });

  it('removing the SP certificate turns Encrypt off, removing the IdP certificate turns SAML off', async () => {
    await useSp('mmchat-encrypted', { Encrypt: true, SignRequest: true });
    await admin.client.deletePublicSamlCertificate();
    expect((await admin.client.getConfig()).SamlSettings).toMatchObject({ PublicCertificateFile: '', Encrypt: false });
    await admin.client.deletePrivateSamlCertificate();
    await admin.client.deleteIdpSamlCertificate();
    expect((await admin.client.getConfig()).SamlSettings).toMatchObject({ IdpCertificateFile: '', PrivateKeyFile: '', Enable: false });
    expect(await admin.client.getSamlCertificateStatus()).toEqual({ idp_certificate_file: false, public_certificate_file: false, private_key_file: false });
    const start = await startSamlSignIn(server.url);
    expect(new URL(start.location).searchParams.get('error_id')).toBe('api.user.saml.not_available.app_error');
  });
});
