/**
 * OpenID Connect / OAuth sign-in (GitLab, Google, Office 365, OpenID) against a real provider:
 * oidc-provider (panva's certified OpenID provider) started here with two confidential clients
 * that must use PKCE, its own login and consent forms, and GitLab's /api/v4/user. A WebBrowser
 * (fetch with a cookie jar, one redirect at a time) plays the person; the attacks alter only what
 * the attack alters — a swapped state, a reused code, a code obtained with another nonce or for
 * another client — and the provider and the server do the rest for real.
 *
 * Every refusal must end on the web app's error page (or the app's scheme) with no session
 * cookie; where the server logs why (which check refused), the test says which layer it was.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  databasePool,
  freePort,
  gitLabServiceEnv,
  NewUser,
  OidcAccount,
  oidcClient,
  OidcProviderPeer,
  oidcServiceEnv,
  Page,
  startOidcProvider,
  startServer,
  TestServer,
  until,
  WebBrowser,
} from '#testing';

let server: TestServer;
let idp: OidcProviderPeer;
let admin: NewUser;
let db: pg.Pool;

const account = (id: number, username: string, extra: Partial<OidcAccount> = {}): OidcAccount => ({
  id,
  username,
  password: `pw-${username}`,
  email: `${username}@idp.example`,
  givenName: username.charAt(0).toUpperCase() + username.slice(1),
  familyName: 'Tester',
  ...extra,
});

const ACCOUNTS = {
  alice: account(1001, 'alice', { nickname: 'ally' }),
  bob: account(1002, 'bob'),
  carol: account(1003, 'carol'),
  gitty: account(1004, 'gitty', { givenName: 'Git', familyName: 'Lab User' }),
  mobi: account(1005, 'mobi'),
  unverified: account(1006, 'unverified', { emailVerified: false }),
  mallory: account(1007, 'mallory'),
  victim: account(1008, 'victim'),
  gaby: account(1009, 'gaby'),
  otto: account(1010, 'otto'),
  rita: account(1011, 'rita'),
  dennis: account(1012, 'dennis'),
};

const SERVICES = ['openid', 'gitlab', 'google', 'office365'];

beforeAll(async () => {
  // The provider's port and clients are chosen first so that the server can be configured with
  // them; the provider starts once the server's URL (its redirect URIs) is known. The server
  // discovers the provider on the first sign-in.
  const idpPort = await freePort();
  const issuer = `http://127.0.0.1:${idpPort}`;
  const client = oidcClient('mmchat');
  server = await startServer({
    ...oidcServiceEnv('OPENIDSETTINGS', issuer, client),
    ...oidcServiceEnv('GOOGLESETTINGS', issuer, client),
    ...gitLabServiceEnv(issuer, client),
  });
  idp = await startOidcProvider({
    port: idpPort,
    client,
    redirectUris: SERVICES.map((s) => `${server.url}/signup/${s}/complete`),
    accounts: Object.values(ACCOUNTS),
  });
  admin = await server.newUser(); // the first account: the system admin
  db = databasePool(server.database);
}, 60_000);

afterAll(async () => {
  if (process.env.DUMP_REFUSALS)
    console.log(
      server.logs
        .split('\n')
        .filter((l) => l.includes('refused') || l.includes('ERROR'))
        .join('\n'),
    );
  await db?.end();
  await idp?.stop();
  await server?.stop();
});

const atProvider = (u: URL) => u.origin === idp.url;

/** Opens a sign-in route; the answer must be the redirect to the provider's authorization endpoint. */
async function start(browser: WebBrowser, path: string): Promise<URL> {
  const page = await browser.navigate(`${server.url}${path}`, { until: atProvider });
  expect(page.status, `${path}: ${page.status} ${page.location ?? page.body.slice(0, 200)}`).toBe(302);
  expect(page.location?.startsWith(`${idp.url}/oauth/authorize?`), page.location).toBe(true);
  return new URL(page.location!);
}

/** Starts at `path`, signs in at the provider as `who`; returns the callback URL the provider sent the browser to (not opened). */
async function toCallback(browser: WebBrowser, path: string, who: OidcAccount, opts: { deny?: boolean } = {}): Promise<URL> {
  const authorization = await start(browser, path);
  return new URL(await idp.authorize(browser, authorization.href, who, opts));
}

/** The whole round trip: the server's answer to the callback. */
async function signIn(browser: WebBrowser, path: string, who: OidcAccount): Promise<Page> {
  return browser.request('GET', (await toCallback(browser, path, who)).href);
}

/** A successful end: the session cookies, the redirect; returns a Client4 on the session. */
function expectSignedIn(page: Page, browser: WebBrowser, location = `${server.url}/`) {
  expect(page.status, `${page.status} ${page.location}`).toBe(302);
  expect(page.location).toBe(location);
  const token = browser.cookie(server.url, 'MMAUTHTOKEN');
  expect(token).toBeTruthy();
  const client = clientFor(server.url);
  client.setToken(token!);
  return client;
}

/**
 * A refused sign-in: the error page (type=sso, with the error id), no session cookie set, none in
 * the browser. Returns the error id and message shown.
 */
function expectRefused(page: Page, browser: WebBrowser): { id: string; message: string } {
  expect(page.status, `${page.status} ${page.location ?? page.body.slice(0, 200)}`).toBe(302);
  const to = new URL(page.location!);
  expect(`${to.origin}${to.pathname}`).toBe(`${server.url}/error`);
  expect(to.searchParams.get('type')).toBe('sso');
  expect(page.setCookies.filter((c) => c.startsWith('MMAUTHTOKEN='))).toEqual([]);
  expect(browser.cookie(server.url, 'MMAUTHTOKEN')).toBeUndefined();
  return { id: to.searchParams.get('error_id') ?? '', message: to.searchParams.get('message') ?? '' };
}

/** The server's log line for the refusal that follows `mark` (its reason says which check refused). */
async function refusalAfter(mark: number): Promise<string> {
  return until(() => /sign-in refused: .*/.exec(server.logs.slice(mark))?.[0], 5000, 'the refusal in the server log');
}

/** The PKCE verifier the server keeps for a sign-in under way (read as an observer, before the callback takes it). */
async function verifierOf(state: string): Promise<string> {
  const { rows } = await db.query<{ verifier: string }>(`SELECT data->>'verifier' AS verifier FROM sso_flows WHERE id = $1`, [state]);
  return rows[0].verifier;
}

/** Redeems a code directly at the provider's token endpoint with the server's client credentials. */
function redeem(code: string, verifier?: string) {
  return idp.tokenRequest({
    grant_type: 'authorization_code',
    code,
    redirect_uri: `${server.url}/signup/openid/complete`,
    client_id: idp.client.id,
    client_secret: idp.client.secret,
    ...(verifier ? { code_verifier: verifier } : {}),
  });
}

async function userByEmail(email: string) {
  return admin.client.getUserByEmail(email).catch(() => undefined);
}

describe('signing in', () => {
  it('signs a new person up on the first login (auth_service openid, auth_data = sub), with the claims as profile', async () => {
    const browser = new WebBrowser();
    const client = expectSignedIn(await signIn(browser, '/oauth/openid/login', ACCOUNTS.alice), browser);
    const me = await client.getMe();
    expect(me).toMatchObject({
      auth_service: 'openid',
      email: 'alice@idp.example',
      username: 'alice',
      first_name: 'Alice',
      last_name: 'Tester',
      nickname: 'ally',
    });
    // auth_data is not sent to other users; the system admin sees it.
    expect((await admin.client.getUser(me.id)).auth_data).toBe('1001');
    // The browser-binding cookie is gone once the callback is done.
    expect(browser.cookie(server.url, 'MMOAUTH')).toBeUndefined();
  });

  it('updates the profile from the claims on a later login, to the same account', async () => {
    const before = (await userByEmail('alice@idp.example'))!;
    ACCOUNTS.alice.givenName = 'Alicia';
    ACCOUNTS.alice.nickname = 'al';
    const browser = new WebBrowser();
    const me = await expectSignedIn(await signIn(browser, '/oauth/openid/login', ACCOUNTS.alice), browser).getMe();
    expect(me.id).toBe(before.id);
    expect(me).toMatchObject({ first_name: 'Alicia', nickname: 'al', last_name: 'Tester' });
  });

  it('signs up through /oauth/{service}/signup', async () => {
    const browser = new WebBrowser();
    const me = await expectSignedIn(await signIn(browser, '/oauth/openid/signup', ACCOUNTS.bob), browser).getMe();
    expect(me).toMatchObject({ auth_service: 'openid', username: 'bob' });
  });

  it('answers the older callback routes (/login/{service}/complete, /oauth/{service}/complete) the same way', async () => {
    for (const path of ['/login/openid/complete', '/oauth/openid/complete']) {
      const browser = new WebBrowser();
      const callback = await toCallback(browser, '/oauth/openid/login', ACCOUNTS.bob);
      const page = await browser.request('GET', `${server.url}${path}${callback.search}`);
      expect((await expectSignedIn(page, browser).getMe()).username).toBe('bob');
    }
  });

  it('refuses a new account while TeamSettings.EnableUserCreation is off (the signup route at once, a login at the callback)', async () => {
    await admin.client.patchConfig({ TeamSettings: { EnableUserCreation: false } } as never);
    try {
      const browser = new WebBrowser();
      const signup = await browser.request('GET', `${server.url}/oauth/openid/signup`);
      expect(expectRefused(signup, browser)).toEqual({ id: 'api.oauth.singup_with_oauth.disabled.app_error', message: 'User sign-up is disabled.' });
      const login = await signIn(browser, '/oauth/openid/login', ACCOUNTS.carol);
      expect(expectRefused(login, browser).id).toBe('api.user.create_user.disabled.app_error');
      expect(await userByEmail('carol@idp.example')).toBeUndefined();
      // An existing account still signs in.
      const other = new WebBrowser();
      expectSignedIn(await signIn(other, '/oauth/openid/login', ACCOUNTS.bob), other);
    } finally {
      await admin.client.patchConfig({ TeamSettings: { EnableUserCreation: true } } as never);
    }
  });

  it('GitLab: OAuth 2.0 code flow with state and PKCE, the person from /api/v4/user (id → auth_data)', async () => {
    const browser = new WebBrowser();
    const authorization = await start(browser, '/oauth/gitlab/login');
    // GitLab's flow has no ID token, so no nonce; PKCE and state as everywhere.
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('nonce')).toBeNull();
    expect(authorization.searchParams.get('scope')).toBe('read_user');
    const callback = await idp.authorize(browser, authorization.href, ACCOUNTS.gitty);
    const me = await expectSignedIn(await browser.request('GET', callback), browser).getMe();
    expect(me).toMatchObject({ auth_service: 'gitlab', username: 'gitty', email: 'gitty@idp.example', first_name: 'Git', last_name: 'Lab User' });
    expect((await admin.client.getUser(me.id)).auth_data).toBe('1004');
  });

  it('GitLab with a DiscoveryEndpoint signs in through OpenID Connect, to the same account (sub is the GitLab user id)', async () => {
    const before = (await userByEmail('gitty@idp.example'))!;
    await admin.client.patchConfig({ GitLabSettings: { DiscoveryEndpoint: idp.discoveryUrl } } as never);
    try {
      const browser = new WebBrowser();
      const authorization = await start(browser, '/oauth/gitlab/login');
      expect(authorization.searchParams.get('nonce')).toBeTruthy();
      const me = await expectSignedIn(await browser.request('GET', await idp.authorize(browser, authorization.href, ACCOUNTS.gitty)), browser).getMe();
      expect(me.id).toBe(before.id);
    } finally {
      await admin.client.patchConfig({ GitLabSettings: { DiscoveryEndpoint: '' } } as never);
    }
  });

  it('Google and Office 365 sign in through their discovery documents (Office 365 once enabled by a config patch)', async () => {
    const google = new WebBrowser();
    expect((await expectSignedIn(await signIn(google, '/oauth/google/login', ACCOUNTS.gaby), google).getMe()).auth_service).toBe('google');

    const office = new WebBrowser();
    expect(expectRefused(await office.request('GET', `${server.url}/oauth/office365/login`), office)).toEqual({
      id: 'api.user.authorize_oauth_user.unsupported.app_error',
      message: 'Office 365 SSO through OAuth 2.0 not available on this server.',
    });
    await admin.client.patchConfig({
      Office365Settings: { Enable: true, Id: idp.client.id, Secret: idp.client.secret, DiscoveryEndpoint: idp.discoveryUrl },
    } as never);
    expect((await expectSignedIn(await signIn(office, '/oauth/office365/login', ACCOUNTS.otto), office).getMe()).auth_service).toBe('office365');
  });

  it("refuses an unknown service with Mattermost's message", async () => {
    const browser = new WebBrowser();
    for (const path of ['/oauth/facebook/login', '/oauth/facebook/signup', '/oauth/facebook/mobile_login', '/signup/facebook/complete?code=x&state=y']) {
      expect(expectRefused(await browser.request('GET', `${server.url}${path}`), browser)).toEqual({
        id: 'api.user.authorize_oauth_user.unsupported.app_error',
        message: 'Facebook SSO through OAuth 2.0 not available on this server.',
      });
    }
  });

  it('ends on the error page when the person denies access at the provider (error=access_denied)', async () => {
    const browser = new WebBrowser();
    const callback = await toCallback(browser, '/oauth/openid/login', ACCOUNTS.dennis, { deny: true });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(expectRefused(await browser.request('GET', callback.href), browser).id).toBe('api.user.authorize_oauth_user.access_denied.app_error');
    expect(await userByEmail('dennis@idp.example')).toBeUndefined();
  });

  it('refuses an account whose provider says the email is not verified', async () => {
    const browser = new WebBrowser();
    expect(expectRefused(await signIn(browser, '/oauth/openid/login', ACCOUNTS.unverified), browser).id).toBe(
      'api.user.login_by_oauth.email_not_verified.app_error',
    );
  });
});

describe('where a sign-in may end', () => {
  it('ends on a redirect_to path of this site', async () => {
    const browser = new WebBrowser();
    const page = await signIn(browser, `/oauth/openid/login?redirect_to=${encodeURIComponent('/team-a/channels/town-square')}`, ACCOUNTS.rita);
    expectSignedIn(page, browser, `${server.url}/team-a/channels/town-square`);
  });

  it('mobile_login ends on the app scheme with MMAUTHTOKEN and MMCSRF, and the token works with Client4', async () => {
    const browser = new WebBrowser();
    const page = await signIn(browser, `/oauth/openid/mobile_login?redirect_to=${encodeURIComponent('mmauth://callback')}`, ACCOUNTS.mobi);
    expect(page.status).toBe(200);
    const href = /id="app-link" href="([^"]+)"/.exec(page.body)?.[1].replace(/&#38;/g, '&');
    expect(href).toMatch(/^mmauth:\/\/callback\?MMAUTHTOKEN=[^&]+&MMCSRF=[^&]+$/);
    const app = new URL(href!);
    const client = clientFor(server.url);
    client.setToken(app.searchParams.get('MMAUTHTOKEN')!);
    const me = await client.getMe();
    expect(me).toMatchObject({ auth_service: 'openid', username: 'mobi' });
    // MMCSRF is the session's CSRF token: a cookie-authenticated write passes with it, not without.
    const write = (csrf: string) =>
      fetch(`${server.url}/api/v4/users/me/patch`, {
        method: 'PUT',
        headers: { cookie: `MMAUTHTOKEN=${app.searchParams.get('MMAUTHTOKEN')}`, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json' },
        body: JSON.stringify({ nickname: 'phone' }),
      });
    expect((await write(app.searchParams.get('MMCSRF')!)).status).toBe(200);
    expect((await write('not-the-token')).status).toBe(401);
  });

  it('refuses, before going to the provider, any target that is not this site or (for mobile) an allowed app scheme', async () => {
    const refusals: Array<[string, string]> = [
      ['/oauth/openid/login?redirect_to=', 'https://evil.example/'],
      ['/oauth/openid/login?redirect_to=', '//evil.example/x'],
      ['/oauth/openid/login?redirect_to=', '/\\evil.example'],
      ['/oauth/openid/login?redirect_to=', `${server.url}.evil.example/`],
      ['/oauth/openid/login?redirect_to=', 'mmauth://callback'], // app schemes only for the mobile action
      ['/oauth/openid/mobile_login?redirect_to=', 'evil://callback'],
      ['/oauth/openid/mobile_login?redirect_to=', 'https://evil.example/'],
      ['/oauth/openid/login?action=', 'not_an_action'],
    ];
    for (const [path, value] of refusals) {
      const browser = new WebBrowser();
      const page = await browser.request('GET', `${server.url}${path}${encodeURIComponent(value)}`);
      expect(expectRefused(page, browser).id, `${path}${value}`).toMatch(/redirect_url\.invalid|invalid_action/);
      expect(browser.cookie(server.url, 'MMOAUTH'), 'no flow started').toBeUndefined();
    }
  });
});

describe('refused callbacks (each on the error page, with no session)', () => {
  const victim = ACCOUNTS.victim;

  it('a wrong state: a random one, and one of another sign-in under way in the same browser', async () => {
    const browser = new WebBrowser();
    let mark = server.logs.length;
    const callback = await toCallback(browser, '/oauth/openid/login', victim);
    const forged = new URL(callback);
    forged.searchParams.set('state', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(expectRefused(await browser.request('GET', forged.href), browser).id).toBe('api.user.authorize_oauth_user.invalid_state.app_error');
    expect(await refusalAfter(mark)).toMatch(/invalid_state/);

    // The state of a second sign-in this browser started: that flow's PKCE verifier does not fit
    // the code, which was issued for the first flow's challenge — the provider refuses it.
    const second = await start(browser, '/oauth/openid/login');
    const swapped = new URL(callback);
    swapped.searchParams.set('state', second.searchParams.get('state')!);
    mark = server.logs.length;
    const seen = idp.grantErrors.length;
    expect(expectRefused(await browser.request('GET', swapped.href), browser).id).toBe('api.user.authorize_oauth_user.token_failed.app_error');
    expect(await refusalAfter(mark)).toMatch(/invalid_grant/);
    expect(idp.grantErrors.slice(seen)).toEqual(['PKCE verification failed']);
    expect(await userByEmail(victim.email)).toBeUndefined();
  });

  it('a callback URL opened in another browser than the one that started the sign-in (login CSRF)', async () => {
    // The attacker signs in as themself up to the callback and has the victim's browser open it.
    const attacker = new WebBrowser();
    const callback = await toCallback(attacker, '/oauth/openid/login', ACCOUNTS.mallory);
    const victimBrowser = new WebBrowser();
    expect(expectRefused(await victimBrowser.request('GET', callback.href), victimBrowser).id).toBe('api.user.authorize_oauth_user.invalid_state.app_error');
    // The flow was taken by that attempt: the attacker's own browser cannot use it either.
    expectRefused(await attacker.request('GET', callback.href), attacker);
    expect(await userByEmail(ACCOUNTS.mallory.email)).toBeUndefined();
  });

  it('a replayed callback URL, and a replayed code', async () => {
    const browser = new WebBrowser();
    const callback = await toCallback(browser, '/oauth/openid/login', ACCOUNTS.rita);
    const verifier = await verifierOf(callback.searchParams.get('state')!);
    expectSignedIn(await browser.request('GET', callback.href), browser);

    // The same URL again, in the same browser and in a fresh one: the state was taken (our check).
    const again = new WebBrowser();
    for (const b of [again, new WebBrowser()])
      expect(expectRefused(await b.request('GET', callback.href), b).id).toBe('api.user.authorize_oauth_user.invalid_state.app_error');

    // The spent code under the state of a new sign-in of the same browser: refused by the
    // provider — the code was bound to the first flow's PKCE challenge, not this flow's.
    const fresh = await start(again, '/oauth/openid/login');
    const replay = new URL(callback);
    replay.searchParams.set('state', fresh.searchParams.get('state')!);
    const mark = server.logs.length;
    let seen = idp.grantErrors.length;
    expect(expectRefused(await again.request('GET', replay.href), again).id).toBe('api.user.authorize_oauth_user.token_failed.app_error');
    expect(await refusalAfter(mark)).toMatch(/invalid_grant/);
    expect(idp.grantErrors.slice(seen)).toEqual(['PKCE verification failed']);

    // And with everything right (its own verifier), the provider redeems a code once only.
    seen = idp.grantErrors.length;
    const replayed = await redeem(callback.searchParams.get('code')!, verifier);
    expect(replayed.status).toBe(400);
    expect(idp.grantErrors.slice(seen)).toEqual(['authorization code already consumed']);
  });

  it("a code obtained with another nonce (code injection): the ID token's nonce is not the flow's", async () => {
    // The victim starts a sign-in. The attacker, who saw its authorization URL, asks the provider
    // for a code for their own account with the same client, redirect URI and PKCE challenge but
    // their own nonce, and injects it into the victim's callback. PKCE passes (same challenge) and
    // the provider issues tokens; openid-client's nonce check refuses the ID token (our layer).
    const browser = new WebBrowser();
    const authorization = await start(browser, '/oauth/openid/login');
    const injected = await attackerCallback(authorization, { nonce: 'attacker-chosen-nonce-0123456789' });
    injected.searchParams.set('state', authorization.searchParams.get('state')!);
    const mark = server.logs.length;
    const seen = idp.grantErrors.length;
    expect(expectRefused(await browser.request('GET', injected.href), browser).id).toBe('api.user.authorize_oauth_user.token_failed.app_error');
    expect(await refusalAfter(mark)).toMatch(/nonce/);
    expect(idp.grantErrors.slice(seen), 'the provider redeemed the code').toEqual([]);
    expect(await userByEmail(ACCOUNTS.mallory.email)).toBeUndefined();
  });

  it('a missing PKCE verifier: a stolen code cannot be redeemed without it, and the server never redeems one without it', async () => {
    // Provider layer: the code taken from the callback, redeemed at the token endpoint with the
    // client's own credentials but no code_verifier, is refused; the very same request with the
    // verifier succeeds, so the verifier alone made the difference.
    const browser = new WebBrowser();
    const callback = await toCallback(browser, '/oauth/openid/login', victim);
    const code = callback.searchParams.get('code')!;
    const verifier = await verifierOf(callback.searchParams.get('state')!);
    const seen = idp.grantErrors.length;
    const stolen = await redeem(code);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error).toBe('invalid_grant');
    expect(idp.grantErrors.slice(seen)).toEqual(['PKCE verification failed']);
    expect((await redeem(code, verifier)).status).toBe(200);

    // Server layer (only reachable through the database, which an attacker cannot write): a flow
    // whose verifier is gone is refused before any token request.
    const second = new WebBrowser();
    const cb = await toCallback(second, '/oauth/openid/login', victim);
    await db.query(`UPDATE sso_flows SET data = data - 'verifier' WHERE id = $1`, [cb.searchParams.get('state')]);
    const before = idp.grantErrors.length;
    expect(expectRefused(await second.request('GET', cb.href), second).id).toBe('api.user.authorize_oauth_user.invalid_state.app_error');
    expect(idp.grantErrors.length, 'no token request was made').toBe(before);
    expect(await userByEmail(victim.email)).toBeUndefined();
  });

  it('an ID token for another audience: a code issued to the other client is refused', async () => {
    // The attacker asks the provider for a code for the other client (another relying party of
    // the same provider), with the victim's PKCE challenge and nonce, and injects it. The
    // provider refuses to redeem another client's code (invalid_grant), so no ID token with that
    // audience is ever issued to this server: with a conforming provider the aud check of
    // openid-client (which would refuse it too) cannot be reached from outside.
    const browser = new WebBrowser();
    const authorization = await start(browser, '/oauth/openid/login');
    const injected = await attackerCallback(authorization, { clientId: idp.otherClient.id });
    injected.searchParams.set('state', authorization.searchParams.get('state')!);
    const mark = server.logs.length;
    const seen = idp.grantErrors.length;
    expect(expectRefused(await browser.request('GET', injected.href), browser).id).toBe('api.user.authorize_oauth_user.token_failed.app_error');
    expect(await refusalAfter(mark)).toMatch(/invalid_grant/);
    expect(idp.grantErrors.slice(seen)).toEqual(['client mismatch']);
  });

  it('an expired ID token', async () => {
    // The provider issues ID tokens that expired an hour ago (its IdToken TTL set negative):
    // openid-client's exp check refuses it (our layer).
    idp.idTokenTtl = -3600;
    try {
      const browser = new WebBrowser();
      const mark = server.logs.length;
      expect(expectRefused(await signIn(browser, '/oauth/openid/login', victim), browser).id).toBe('api.user.authorize_oauth_user.token_failed.app_error');
      expect(await refusalAfter(mark)).toMatch(/exp|timestamp/i);
    } finally {
      idp.idTokenTtl = 3600;
    }
    expect(await userByEmail(victim.email)).toBeUndefined();
  });

  it("junk in a callback of an enabled service: the error page (or the request pipeline's 4xx), never a 5xx", async () => {
    const browser = new WebBrowser();
    await start(browser, '/oauth/openid/login'); // a flow under way in this browser, with its cookie
    const junk = [
      '',
      '?code=&state=',
      `?code=${'c'.repeat(5000)}&state=${'s'.repeat(43)}`,
      '?code=a&code=b&state=x&state=y',
      '?code[]=a&state[x]=y',
      `?code=a&state=${encodeURIComponent("'; DROP TABLE sso_flows;--")}`,
      '?code=a&state=%F0%9F%92%A9&iss=http%3A%2F%2Fevil.example',
      '?error=%00&error_description=' + 'd'.repeat(3000),
      '?error=server_error&state=' + 'S'.repeat(43),
    ];
    for (const q of junk) {
      for (const route of ['/signup/openid/complete', '/login/gitlab/complete', '/oauth/google/complete']) {
        const page = await browser.request('GET', `${server.url}${route}${q}`);
        // The request pipeline refuses some at once (a URL over its length limit: 414; %00: 400).
        if (page.status === 302) expectRefused(page, browser);
        else expect([400, 414], `${route}${q.slice(0, 80)}: ${page.status}`).toContain(page.status);
      }
    }
    expect((await fetch(`${server.url}/api/v4/system/ping`)).status).toBe(200);
  });

  it('a failure of a mobile sign-in ends on the app scheme with the error', async () => {
    const browser = new WebBrowser();
    const callback = await toCallback(browser, `/oauth/openid/mobile_login?redirect_to=${encodeURIComponent('mmauth://callback')}`, ACCOUNTS.unverified);
    const page = await browser.request('GET', callback.href);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/href="mmauth:\/\/callback\?error=[^"]+"/);
    expect(page.body).not.toContain('MMAUTHTOKEN');
    expect(page.setCookies.filter((c) => c.startsWith('MMAUTHTOKEN='))).toEqual([]);
  });
});

/**
 * The attacker's own authorization request at the provider, copying the victim's client, redirect
 * URI, scope and PKCE challenge (and nonce unless given), signed in as the attacker: the redirect
 * back with the attacker's code, to be injected into the victim's callback.
 */
async function attackerCallback(victimAuthorization: URL, change: { nonce?: string; clientId?: string }): Promise<URL> {
  const url = new URL(victimAuthorization);
  url.searchParams.set('state', 'attackers-own-state-0123456789');
  if (change.nonce) url.searchParams.set('nonce', change.nonce);
  if (change.clientId) url.searchParams.set('client_id', change.clientId);
  return new URL(await idp.authorize(new WebBrowser(), url.href, ACCOUNTS.mallory));
}
