/**
 * Switching an account's sign-in method and the account rules around it, through Mattermost's own
 * client: POST /users/login/switch (this server's halves: the password and MFA check and the
 * link into the provider's sign-in for email → SAML/OAuth, the whole of SAML/OAuth → email; the
 * providers' callbacks complete the first in their own suites; email ↔ AD/LDAP against a real
 * slapd), PUT /users/{id}/auth, password login refused for provider accounts, and EmailSettings'
 * sign-in and sign-up switches.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import {
  clientFor,
  databasePool,
  expectClientError,
  freePort,
  NewUser,
  OidcAccount,
  oidcClient,
  OidcProviderPeer,
  oidcServiceEnv,
  Slapd,
  startOidcProvider,
  startServer,
  startSlapd,
  TestServer,
  WebBrowser,
} from '#testing';

const INVALID_SSO = 'api.user.login.invalid_credentials_sso';

const SUFFIX = 'dc=example,dc=com';
/** One directory entry: uid dana, password dana-Directory-pw, mail dana.dir@example.com. */
const DANA = [
  `dn: uid=dana,ou=people,${SUFFIX}`,
  'objectClass: inetOrgPerson',
  'uid: dana',
  'cn: Dana Example',
  'givenName: Dana',
  'sn: Example',
  'mail: dana.dir@example.com',
  'employeeNumber: 4242',
  'userPassword: dana-Directory-pw',
  '',
].join('\n');

/** The OpenID provider's account an email account is moved to. */
const SWITCHER: OidcAccount = { id: 7001, username: 'switcher', password: 'pw-switcher', email: 'switcher@idp.example', givenName: 'Switch' };

let server: TestServer;
let admin: NewUser;
let idp: OidcProviderPeer;
let directory: Slapd | undefined;

beforeAll(async () => {
  // A real OpenID provider (panva's oidc-provider) for one switch all the way through; GitLab and
  // SAML are only switched on, for the links into their sign-ins.
  const idpPort = await freePort();
  const client = oidcClient('mmchat');
  server = await startServer({
    ...oidcServiceEnv('OPENIDSETTINGS', `http://127.0.0.1:${idpPort}`, client),
    MM_GITLABSETTINGS_ENABLE: 'true',
    MM_SAMLSETTINGS_ENABLE: 'true',
  });
  idp = await startOidcProvider({ port: idpPort, client, redirectUris: [`${server.url}/signup/openid/complete`], accounts: [SWITCHER] });
  admin = await server.newUser();
  await admin.client.patchConfig({ ServiceSettings: { EnableMultifactorAuthentication: true } } as any);
}, 60_000);
afterAll(async () => {
  await idp?.stop();
  await server?.stop();
  await directory?.stop();
});

/** A user moved to GitLab by the admin (their session from the sign-up stays, as in Mattermost). */
async function gitlabUser(): Promise<NewUser> {
  const u = await server.newUser();
  await admin.client.updateUserAuth(u.user.id, { auth_service: 'gitlab', auth_data: `gitlab-${u.user.id}` });
  return u;
}

describe('POST /users/login/switch: email → SAML / OAuth', () => {
  it("checks the password, then links into the provider's sign-in with a one-time switch token", async () => {
    const u = await server.newUser();
    const anon = server.client();
    const site = server.url.replace(/\/$/, ''); // the harness's SiteURL
    const gitlab = await anon.switchEmailToOAuth('gitlab', u.user.email, u.password);
    expect(gitlab.follow_link).toMatch(new RegExp(`^${site}/oauth/gitlab/login\\?action=email_to_sso&switch_token=[a-z0-9]{52}$`));
    const saml = await anon.switchEmailToOAuth('saml', u.user.email, u.password);
    expect(saml.follow_link).toMatch(new RegExp(`^${site}/login/sso/saml\\?action=email_to_sso&switch_token=[a-z0-9]{52}$`));
    expect(saml.follow_link.split('switch_token=')[1]).not.toBe(gitlab.follow_link.split('switch_token=')[1]);
    // Nothing changes before the provider answers.
    expect((await u.client.getMe()).auth_service).toBe('');
  });

  it('completes through the provider: the sign-in carrying the switch token moves the account, once', async () => {
    const u = await server.newUser();
    const { follow_link: link } = await server.client().switchEmailToOAuth('openid', u.user.email, u.password);
    const atProvider = (url: URL) => url.origin === idp.url;
    const throughProvider = async (browser: WebBrowser, url: string) => {
      const start = await browser.navigate(url, { until: atProvider });
      expect(start.status, `${start.status} ${start.location}`).toBe(302);
      return browser.request('GET', await idp.authorize(browser, start.location!, SWITCHER));
    };

    const done = await throughProvider(new WebBrowser(), link);
    expect([done.status, done.location]).toEqual([302, `${server.url}/login?extra=signin_change`]);
    expect((await expectClientError(() => u.client.getMe())).status_code).toBe(401);
    const moved = await admin.client.getUser(u.user.id);
    expect([moved.auth_service, moved.auth_data, moved.email]).toEqual(['openid', String(SWITCHER.id), SWITCHER.email]);
    expect((await expectClientError(() => clientFor(server.url).login(u.user.username, u.password))).status_code).toBe(401);

    // The account now signs in through the provider.
    const browser = new WebBrowser();
    const signedIn = await throughProvider(browser, `${server.url}/oauth/openid/login`);
    expect(signedIn.status).toBe(302);
    const c = clientFor(server.url);
    c.setToken(browser.cookie(server.url, 'MMAUTHTOKEN')!);
    expect((await c.getMe()).id).toBe(u.user.id);

    // The link is spent.
    const again = await throughProvider(new WebBrowser(), link);
    const error = new URL(again.location!);
    expect(error.pathname).toBe('/error');
    expect(error.searchParams.get('error_id')).toBe('api.user.complete_switch_with_oauth.unavailable.app_error');
  });

  it('refuses a wrong password as a failed login (counted, masked), and a provider that is off', async () => {
    const u = await server.newUser();
    const wrong = await expectClientError(() => server.client().switchEmailToOAuth('gitlab', u.user.email, 'not-the-password'));
    expect([wrong.status_code, wrong.server_error_id]).toEqual([401, INVALID_SSO]);
    expect((await admin.client.getUser(u.user.id)).failed_attempts).toBe(1);
    const unknown = await expectClientError(() => server.client().switchEmailToOAuth('gitlab', 'nobody@example.com', 'whatever'));
    expect([unknown.status_code, unknown.server_error_id]).toEqual([401, INVALID_SSO]);
    const off = await expectClientError(() => server.client().switchEmailToOAuth('google', u.user.email, u.password));
    expect([off.status_code, off.server_error_id]).toEqual([501, 'api.user.get_authorization_code.unsupported.app_error']);
    const junk = await expectClientError(() => server.client().switchEmailToOAuth('myspace', u.user.email, u.password));
    expect([junk.status_code, junk.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
  });

  it('needs the MFA code of an account with MFA', async () => {
    const u = await server.newUser();
    const { secret } = await u.client.generateMfaSecret(u.user.id);
    await u.client.updateUserMfa(u.user.id, true, await generate({ secret }));
    const missing = await expectClientError(() => server.client().switchEmailToOAuth('gitlab', u.user.email, u.password));
    expect(missing.server_error_id).toBe('mfa.validate_token.authenticate.app_error');
    const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    expect((await server.client().switchEmailToOAuth('gitlab', u.user.email, u.password, next)).follow_link).toContain('switch_token=');
  });
});

describe('POST /users/login/switch: SAML / OAuth → email', () => {
  it('lets the signed-in owner set a password, ends every session, and the password signs in', async () => {
    const u = await gitlabUser();
    const other = clientFor(server.url);
    other.setToken(u.client.getToken());
    const answer = await u.client.switchOAuthToEmail('gitlab', u.user.email, 'N3w-passw0rd!');
    expect(answer).toEqual({ follow_link: '/login?extra=signin_change' });
    expect((await expectClientError(() => other.getMe())).status_code).toBe(401);
    const fresh = clientFor(server.url);
    const me = await fresh.login(u.user.username, 'N3w-passw0rd!');
    expect([me.auth_service, me.auth_data ?? '']).toEqual(['', '']);
  });

  it('needs a session of that very account, of that provider, and email sign-up on', async () => {
    const u = await gitlabUser();
    const anon = await expectClientError(() => server.client().switchOAuthToEmail('gitlab', u.user.email, 'N3w-passw0rd!'));
    expect([anon.status_code, anon.server_error_id]).toEqual([401, 'api.context.session_expired.app_error']);
    const someoneElse = await expectClientError(() => admin.client.switchOAuthToEmail('gitlab', u.user.email, 'N3w-passw0rd!'));
    expect([someoneElse.status_code, someoneElse.server_error_id]).toEqual([403, 'api.user.oauth_to_email.context.app_error']);
    const wrongService = await expectClientError(() => u.client.switchOAuthToEmail('saml', u.user.email, 'N3w-passw0rd!'));
    expect(wrongService.status_code).toBe(403);
    // An email account cannot use it to set a password without its current one.
    const email = await server.newUser();
    const notSso = await expectClientError(() => email.client.switchOAuthToEmail('gitlab', email.user.email, 'N3w-passw0rd!'));
    expect(notSso.status_code).toBe(403);
    const weak = await expectClientError(() => u.client.switchOAuthToEmail('gitlab', u.user.email, 'x'));
    expect(weak.status_code).toBe(400);

    await admin.client.patchConfig({ EmailSettings: { EnableSignUpWithEmail: false } } as any);
    try {
      const off = await expectClientError(() => u.client.switchOAuthToEmail('gitlab', u.user.email, 'N3w-passw0rd!'));
      expect([off.status_code, off.server_error_id]).toEqual([403, 'api.user.auth_switch.not_available.email_signup_disabled.app_error']);
    } finally {
      await admin.client.patchConfig({ EmailSettings: { EnableSignUpWithEmail: true } } as any);
    }
    expect((await u.client.getMe()).auth_service).toBe('gitlab');
  });
});

describe('POST /users/login/switch: email ↔ AD/LDAP (slapd)', () => {
  it('answers that AD/LDAP is not available while it is off', async () => {
    const u = await server.newUser();
    const toLdap = await expectClientError(() => server.client().switchEmailToLdap(u.user.email, u.password, 'dana', 'dana-Directory-pw'));
    expect([toLdap.status_code, toLdap.server_error_id]).toEqual([501, 'api.user.email_to_ldap.not_available.app_error']);
    const toEmail = await expectClientError(() => server.client().switchLdapToEmail('dana-Directory-pw', u.user.email, 'N3w-passw0rd!'));
    expect([toEmail.status_code, toEmail.server_error_id]).toEqual([501, 'api.user.ldap_to_email.not_available.app_error']);
  });

  it('moves an email account to its directory entry and back, each after the passwords of both sides', async () => {
    directory = await startSlapd({ suffix: SUFFIX, ldif: DANA });
    await admin.client.patchConfig({
      LdapSettings: {
        Enable: true,
        LdapServer: directory.host,
        LdapPort: directory.port,
        ConnectionSecurity: '',
        BaseDN: SUFFIX,
        BindUsername: directory.serviceDn,
        BindPassword: directory.servicePassword,
        IdAttribute: 'employeeNumber',
        LoginIdAttribute: 'uid',
        UsernameAttribute: 'uid',
        EmailAttribute: 'mail',
        FirstNameAttribute: 'givenName',
        LastNameAttribute: 'sn',
      },
    } as any);
    const u = await server.newUser();
    const anon = server.client();

    const wrongEmail = await expectClientError(() => anon.switchEmailToLdap(u.user.email, 'not-it', 'dana', 'dana-Directory-pw'));
    expect([wrongEmail.status_code, wrongEmail.server_error_id]).toEqual([401, INVALID_SSO]);
    const wrongLdap = await expectClientError(() => anon.switchEmailToLdap(u.user.email, u.password, 'dana', 'not-it'));
    expect([wrongLdap.status_code, wrongLdap.server_error_id]).toEqual([401, 'ent.ldap.do_login.invalid_password.app_error']);
    const nobody = await expectClientError(() => anon.switchEmailToLdap(u.user.email, u.password, 'nobody', 'x'));
    expect(nobody.server_error_id).toBe('ent.ldap.do_login.user_not_registered.app_error');

    expect(await anon.switchEmailToLdap(u.user.email, u.password, 'dana', 'dana-Directory-pw')).toEqual({ follow_link: '/login?extra=signin_change' });
    expect((await expectClientError(() => u.client.getMe())).status_code).toBe(401);
    const viaLdap = clientFor(server.url);
    const me = await viaLdap.login('dana', 'dana-Directory-pw');
    expect(me).toMatchObject({ id: u.user.id, auth_service: 'ldap', email: 'dana.dir@example.com', first_name: 'Dana' });
    expect((await expectClientError(() => clientFor(server.url).login(u.user.username, u.password))).status_code).toBe(401);

    // And back: the LDAP password (checked by the directory), then the new email password.
    const wrongBack = await expectClientError(() => anon.switchLdapToEmail('not-it', 'dana.dir@example.com', 'Back-t0-email!'));
    expect([wrongBack.status_code, wrongBack.server_error_id]).toEqual([401, INVALID_SSO]);
    expect(await anon.switchLdapToEmail('dana-Directory-pw', 'dana.dir@example.com', 'Back-t0-email!')).toEqual({ follow_link: '/login?extra=signin_change' });
    expect((await expectClientError(() => viaLdap.getMe())).status_code).toBe(401);
    const back = await clientFor(server.url).login('dana.dir@example.com', 'Back-t0-email!');
    expect([back.id, back.auth_service]).toEqual([u.user.id, '']);
    // An email account is not moved "back" from LDAP.
    const notLdap = await expectClientError(() => anon.switchLdapToEmail('Back-t0-email!', 'dana.dir@example.com', 'Other-passw0rd!'));
    expect([notLdap.status_code, notLdap.server_error_id]).toEqual([400, 'api.user.ldap_to_email.not_ldap_account.app_error']);
  }, 60_000);
});

describe('PUT /users/{id}/auth', () => {
  it("lets a system admin set an account's provider; the account then has no password", async () => {
    const u = await server.newUser();
    const set = await admin.client.updateUserAuth(u.user.id, { auth_service: 'openid', auth_data: `sub-${u.user.id}` });
    expect(set).toEqual({ auth_service: 'openid', auth_data: `sub-${u.user.id}` });
    const seen = await admin.client.getUser(u.user.id);
    expect([seen.auth_service, seen.auth_data]).toEqual(['openid', `sub-${u.user.id}`]);
    const login = await expectClientError(() => clientFor(server.url).login(u.user.username, u.password));
    expect([login.status_code, login.server_error_id]).toEqual([401, INVALID_SSO]);

    // Back to email with a password (Mattermost before v6: no service, a password).
    expect(await admin.client.updateUserAuth(u.user.id, { password: 'Back-t0-email!' } as any)).toEqual({ auth_service: '' });
    expect((await clientFor(server.url).login(u.user.username, 'Back-t0-email!')).auth_service).toBe('');
  });

  it('refuses a provider subject that another account has, an unknown service, a half request, and non-admins', async () => {
    const a = await gitlabUser();
    const b = await server.newUser();
    const taken = await expectClientError(() => admin.client.updateUserAuth(b.user.id, { auth_service: 'gitlab', auth_data: `gitlab-${a.user.id}` }));
    expect([taken.status_code, taken.server_error_id]).toEqual([400, 'app.user.update_auth_data.email_exists.app_error']);
    const unknown = await expectClientError(() => admin.client.updateUserAuth(b.user.id, { auth_service: 'myspace', auth_data: 'x' }));
    expect([unknown.status_code, unknown.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const half = await expectClientError(() => admin.client.updateUserAuth(b.user.id, { auth_service: 'gitlab' }));
    expect([half.status_code, half.server_error_id]).toEqual([400, 'api.user.update_user_auth.invalid_request']);
    const self = await expectClientError(() => b.client.updateUserAuth(b.user.id, { auth_service: 'gitlab', auth_data: 'mine' }));
    expect([self.status_code, self.server_error_id]).toEqual([403, 'api.context.permissions.app_error']);
    expect((await expectClientError(() => server.client().updateUserAuth(b.user.id, { auth_service: 'gitlab', auth_data: 'mine' }))).status_code).toBe(401);
    const missing = await expectClientError(() => admin.client.updateUserAuth('a'.repeat(26), { auth_service: 'gitlab', auth_data: 'nobody' }));
    expect(missing.status_code).toBe(404);
  });
});

describe('password login of a provider account', () => {
  it('is refused even with a password left on the account, with the masked wrong-password answer', async () => {
    const u = await gitlabUser();
    const donor = await server.newUser({ password: 'D0nor-password!' });
    const pool = databasePool(server.database);
    try {
      await pool.query('UPDATE users SET password = (SELECT password FROM users WHERE id = $2) WHERE id = $1', [u.user.id, donor.user.id]);
    } finally {
      await pool.end();
    }
    const wrong = await expectClientError(() => clientFor(server.url).login(u.user.username, 'not-it'));
    expect([wrong.status_code, wrong.server_error_id]).toEqual([401, INVALID_SSO]);
    const right = await expectClientError(() => clientFor(server.url).login(u.user.username, 'D0nor-password!'));
    expect([right.status_code, right.server_error_id]).toEqual([401, INVALID_SSO]);
  });
});

describe('EmailSettings', () => {
  it('EnableSignInWithUsername / EnableSignInWithEmail choose which login ids sign in', async () => {
    const u = await server.newUser();
    await admin.client.patchConfig({ EmailSettings: { EnableSignInWithUsername: false } } as any);
    try {
      const byName = await expectClientError(() => clientFor(server.url).login(u.user.username, u.password));
      expect(byName.status_code).toBe(401);
      expect((await clientFor(server.url).login(u.user.email, u.password)).id).toBe(u.user.id);
    } finally {
      await admin.client.patchConfig({ EmailSettings: { EnableSignInWithUsername: true, EnableSignInWithEmail: false } } as any);
    }
    try {
      expect((await expectClientError(() => clientFor(server.url).login(u.user.email, u.password))).status_code).toBe(401);
      expect((await clientFor(server.url).login(u.user.username, u.password)).id).toBe(u.user.id);
    } finally {
      await admin.client.patchConfig({ EmailSettings: { EnableSignInWithEmail: true } } as any);
    }
  });

  it('EnableSignUpWithEmail off refuses sign-ups with email and password, but not accounts a system admin creates', async () => {
    await admin.client.patchConfig({ EmailSettings: { EnableSignUpWithEmail: false } } as any);
    try {
      const err = await expectClientError(() =>
        server.client().createUser({ username: 'no-signup', email: 'no-signup@example.com', password: 'Passw0rd!x' } as any, '', ''),
      );
      expect([err.status_code, err.server_error_id]).toEqual([501, 'api.user.create_user.signup_email_disabled.app_error']);
      const made = await admin.client.createUser({ username: 'by-admin', email: 'by-admin@example.com', password: 'Passw0rd!x' } as any, '', '');
      expect(made.username).toBe('by-admin');
    } finally {
      await admin.client.patchConfig({ EmailSettings: { EnableSignUpWithEmail: true } } as any);
    }
  });
});
