/**
 * The OAuth 2.0 service provider with a real third-party client: openid-client 6 (the library
 * apps use) discovers the server (RFC 8414), runs the authorization code flow with PKCE against
 * it, redeems and refreshes tokens and calls the API with them; the person's side (signed out,
 * signed in, the consent step's JSON POST) is driven over HTTP with a browser's session cookie.
 * Apps are managed through Mattermost's Client4. Then every refusal: the provider off, a wrong
 * secret, a callback the app did not register, a code used twice or expired, a PKCE verifier that
 * does not match, a revoked or deleted app's token, and a session token in ?access_token=.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as oidc from 'openid-client';
import type pg from 'pg';
import type { Client4 } from '@mattermost/client';
import type { OAuthApp } from '@mattermost/types/integrations';
import { clientFor, databasePool, expectClientError, NewUser, startServer, TestServer } from '#testing';

let server: TestServer;
let db: pg.Pool;
let admin: NewUser;
let alice: NewUser;
let browser: Browser;

const CALLBACK = 'http://127.0.0.1:9/oauth/callback';
let seq = 0;

/** A signed-in browser: its cookies and the CSRF token the web app sends with them. */
interface Browser {
  cookie: string;
  csrf: string;
}

async function browserLogin(user: NewUser): Promise<Browser> {
  const res = await fetch(`${server.url}/api/v4/users/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login_id: user.user.username, password: user.password }),
  });
  expect(res.status).toBe(200);
  const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = cookies.find((c) => c.startsWith('MMCSRF='))!.slice('MMCSRF='.length);
  return { cookie: cookies.join('; '), csrf };
}

/** A GET the way a browser sends it, without following redirects. */
function open(url: string | URL, as?: Browser): Promise<Response> {
  return fetch(url, { redirect: 'manual', headers: as ? { Cookie: as.cookie } : {} });
}

/** The consent page's "Allow": the JSON POST /oauth/authorize with the session cookie and CSRF token. */
async function allow(as: Browser, params: URLSearchParams): Promise<Response> {
  return fetch(`${server.url}/oauth/authorize`, {
    method: 'POST',
    headers: { Cookie: as.cookie, 'X-CSRF-Token': as.csrf, 'Content-Type': 'application/json' },
    body: JSON.stringify(Object.fromEntries(params)),
  });
}

/** POST /oauth/access_token with a raw form, for asserting the server's exact refusals. */
async function tokenRequest(form: Record<string, string>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}/oauth/access_token`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: res.status, body: await res.json() };
}

function withToken(token: string): Client4 {
  const c = clientFor(server.url);
  c.setToken(token);
  return c;
}

async function newApp(opts: { trusted?: boolean } = {}): Promise<OAuthApp> {
  return admin.client.createOAuthApp({
    name: `App ${++seq}`,
    description: 'A third-party app',
    homepage: 'https://app.example.com',
    callback_urls: [CALLBACK],
    is_trusted: opts.trusted ?? false,
  } as OAuthApp);
}

/** openid-client configured for an app, from the server's metadata. */
async function configFor(app: OAuthApp, auth?: oidc.ClientAuth): Promise<oidc.Configuration> {
  return oidc.discovery(new URL(server.url), app.id, app.client_secret, auth, { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' });
}

/** An authorization request with PKCE, as the app builds it. */
async function authorization(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'user',
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  });
  return { url, verifier, state };
}

/** The whole person's side for an app not yet allowed: consent page, then Allow; the callback URL with the code. */
async function consent(url: URL, as: Browser): Promise<URL> {
  const page = await open(url, as);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  const res = await allow(as, url.searchParams);
  expect(res.status).toBe(200);
  return new URL(((await res.json()) as { redirect: string }).redirect);
}

beforeAll(async () => {
  server = await startServer();
  db = databasePool(server.database);
  admin = await server.newUser({ username: `oadmin${Date.now().toString(36)}` });
  alice = await server.newUser({ username: `oalice${Date.now().toString(36)}` });
  browser = await browserLogin(alice);
}, 60_000);
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

describe('managing apps', () => {
  it('gives the secret to the creator and admins, never to /info or the authorized list', async () => {
    const app = await newApp();
    expect(app).toMatchObject({
      id: expect.stringMatching(/^[a-z0-9]{26}$/),
      creator_id: admin.user.id,
      client_secret: expect.stringMatching(/^[a-z0-9]{26}$/),
      name: expect.stringMatching(/^App /),
      callback_urls: [CALLBACK],
      homepage: 'https://app.example.com',
      is_trusted: false,
    });
    expect((await admin.client.getOAuthApp(app.id)).client_secret).toBe(app.client_secret);
    expect((await admin.client.getOAuthApps(0, 200)).map((a) => a.id)).toContain(app.id);
    const info = await alice.client.getOAuthAppInfo(app.id);
    expect(info).toMatchObject({ id: app.id, name: app.name, client_secret: '' });
    const denied = await expectClientError(() => alice.client.getOAuthApp(app.id));
    expect(denied.status_code).toBe(403);
    const list = await expectClientError(() => alice.client.getOAuthApps());
    expect([list.status_code, list.server_error_id]).toEqual([403, 'api.command.admin_only.app_error']);
    const create = await expectClientError(() =>
      alice.client.createOAuthApp({ name: 'x', homepage: 'https://x.example', callback_urls: [CALLBACK] } as OAuthApp),
    );
    expect(create.status_code).toBe(403);
  });

  it('validates apps, keeps the secret on update and replaces it on regen_secret', async () => {
    const bad = await expectClientError(() =>
      admin.client.createOAuthApp({ name: 'x', homepage: 'https://x.example', callback_urls: ['ftp://nope'] } as OAuthApp),
    );
    expect([bad.status_code, bad.server_error_id]).toEqual([400, 'model.oauth.is_valid.callback.app_error']);
    const noHome = await expectClientError(() => admin.client.createOAuthApp({ name: 'x', callback_urls: [CALLBACK] } as OAuthApp));
    expect([noHome.status_code, noHome.server_error_id]).toEqual([400, 'model.oauth.is_valid.homepage.app_error']);
    const app = await newApp();
    const edited = await admin.client.editOAuthApp({ ...app, name: 'Renamed', client_secret: 'ignored' });
    expect(edited).toMatchObject({ id: app.id, name: 'Renamed', client_secret: app.client_secret, create_at: app.create_at });
    const put = (body: unknown) => (admin.client as any).doFetch(`${admin.client.getOAuthAppRoute(app.id)}`, { method: 'put', body: JSON.stringify(body) });
    const mismatch = await expectClientError(() => put({ ...app, id: 'b'.repeat(26) }));
    expect([mismatch.status_code, mismatch.server_error_id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const regen = await admin.client.regenOAuthAppSecret(app.id);
    expect(regen.client_secret).not.toBe(app.client_secret);
    expect(regen.client_secret).toMatch(/^[a-z0-9]{26}$/);
  });
});

describe('authorization code with PKCE (openid-client)', () => {
  it('signs the person in, asks for consent once, issues tokens that work in the header and ?access_token=, refreshes, and deauthorizes', async () => {
    const app = await newApp();
    const config = await configFor(app);
    const { url, verifier, state } = await authorization(config);
    expect(url.origin + url.pathname).toBe(`${server.url}/oauth/authorize`);

    // Signed out: to the login page, which comes back to this very request.
    const signedOut = await open(url);
    expect(signedOut.status).toBe(302);
    const login = new URL(signedOut.headers.get('location')!);
    expect(login.origin + login.pathname).toBe(`${server.url}/login`);
    expect(login.searchParams.get('redirect_to')).toBe(url.pathname + url.search);

    // Signed in: the web app's consent page, then Allow.
    const callback = await consent(url, browser);
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('code')).toMatch(/^[a-z0-9]{52}$/);

    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('user');
    expect(tokens.expires_in).toBe(30 * 24 * 3600);
    expect(tokens.access_token).toMatch(/^[a-z0-9]{26}$/);
    expect(tokens.refresh_token).toMatch(/^[a-z0-9]{26}$/);
    expect(tokens).not.toHaveProperty('id_token');

    // The token is the person's, as a bearer header and as the access_token query parameter.
    expect((await withToken(tokens.access_token).getMe()).id).toBe(alice.user.id);
    const viaQuery = await fetch(`${server.url}/api/v4/users/me?access_token=${tokens.access_token}`);
    expect(viaQuery.status).toBe(200);
    expect(((await viaQuery.json()) as { id: string }).id).toBe(alice.user.id);
    const resource = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(`${server.url}/api/v4/users/me`), 'GET');
    expect(((await resource.json()) as { id: string }).id).toBe(alice.user.id);
    const session = (await alice.client.getSessions(alice.user.id)).find((s) => s.props.oauth_app_id === app.id)!;
    expect(session.props).toMatchObject({ platform: app.name, oauth_app_id: app.id, os: 'OAuth2', browser: 'OAuth2' });

    // Allowed once: the next request goes straight back with a code; the app is in the person's list.
    const again = await open(url, browser);
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toMatch(/^[a-z0-9]{52}$/);
    const authorized = await alice.client.getAuthorizedOAuthApps(alice.user.id);
    expect(authorized.map((a) => [a.id, a.client_secret])).toEqual([[app.id, '']]);

    // Refresh: a new pair; the old access and refresh tokens are spent.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect((await withToken(refreshed.access_token).getMe()).id).toBe(alice.user.id);
    expect((await expectClientError(() => withToken(tokens.access_token).getMe())).status_code).toBe(401);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toThrow();
    const spent = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: app.id,
      client_secret: app.client_secret,
    });
    expect([spent.status, spent.body.id]).toEqual([404, 'api.oauth.get_access_token.refresh_token.app_error']);

    // Deauthorize: the token stops working, the list empties, consent is asked again.
    await alice.client.deauthorizeOAuthApp(app.id);
    expect((await expectClientError(() => withToken(refreshed.access_token).getMe())).status_code).toBe(401);
    expect(await alice.client.getAuthorizedOAuthApps(alice.user.id)).toEqual([]);
    expect((await open(url, browser)).status).toBe(200);
  });

  it('sends a trusted app straight back, and accepts HTTP Basic client authentication', async () => {
    const app = await newApp({ trusted: true });
    const config = await configFor(app, oidc.ClientSecretBasic(app.client_secret));
    const { url, verifier, state } = await authorization(config);
    const res = await open(url, browser);
    expect(res.status).toBe(302);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(res.headers.get('location')!), { pkceCodeVerifier: verifier, expectedState: state });
    expect((await withToken(tokens.access_token).getMe()).id).toBe(alice.user.id);
  });

  it('works without PKCE for a confidential client, keeping the callback’s own query', async () => {
    const withQuery = `${CALLBACK}?tenant=a`;
    const app = await admin.client.createOAuthApp({
      name: 'Plain',
      homepage: 'https://app.example.com',
      callback_urls: [withQuery],
      is_trusted: true,
    } as OAuthApp);
    const config = await configFor(app);
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: withQuery, state });
    const callback = new URL((await open(url, browser)).headers.get('location')!);
    expect(callback.searchParams.get('tenant')).toBe('a');
    const code = callback.searchParams.get('code')!;
    const token = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: withQuery, client_id: app.id, client_secret: app.client_secret });
    expect(token.status).toBe(200);
    expect(Object.keys(token.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
  });

  it('ends the tokens of a deleted app, and refuses its client afterwards', async () => {
    const app = await newApp({ trusted: true });
    const config = await configFor(app);
    const { url, verifier, state } = await authorization(config);
    const callback = new URL((await open(url, browser)).headers.get('location')!);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state });
    expect((await withToken(tokens.access_token).getMe()).id).toBe(alice.user.id);
    await admin.client.deleteOAuthApp(app.id);
    expect((await expectClientError(() => withToken(tokens.access_token).getMe())).status_code).toBe(401);
    const gone = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: app.id, client_secret: app.client_secret });
    expect([gone.status, gone.body.id]).toEqual([404, 'api.oauth.get_access_token.credentials.app_error']);
    expect((await alice.client.getAuthorizedOAuthApps(alice.user.id)).map((a) => a.id)).not.toContain(app.id);
  });
});

describe('refusals', () => {
  /** A code issued to `app` through the trusted path, with its PKCE verifier. */
  async function codeFor(app: OAuthApp) {
    const config = await configFor(app);
    const { url, verifier } = await authorization(config);
    const callback = new URL((await open(url, browser)).headers.get('location')!);
    return { code: callback.searchParams.get('code')!, verifier };
  }

  const redeem = (app: OAuthApp, code: string, verifier: string, over: Record<string, string> = {}) =>
    tokenRequest({
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
      client_id: app.id,
      client_secret: app.client_secret,
      ...over,
    });

  it('refuses a wrong secret (and the secret a regeneration replaced), keeping the code', async () => {
    const app = await newApp({ trusted: true });
    const { code, verifier } = await codeFor(app);
    const wrong = await redeem(app, code, verifier, { client_secret: 'x'.repeat(26) });
    expect([wrong.status, wrong.body.id]).toEqual([403, 'api.oauth.get_access_token.credentials.app_error']);
    const config = await configFor({ ...app, client_secret: 'y'.repeat(26) });
    await expect(oidc.refreshTokenGrant(config, 'z'.repeat(26))).rejects.toThrow();
    const regen = await admin.client.regenOAuthAppSecret(app.id);
    const old = await redeem(app, code, verifier);
    expect(old.status).toBe(403);
    expect((await redeem(regen, code, verifier)).status).toBe(200);
  });

  it('refuses a callback the app did not register, at the page and at the token endpoint', async () => {
    const app = await newApp({ trusted: true });
    const config = await configFor(app);
    const { url } = await authorization(config, { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    const page = await open(url, browser);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('/error?message=');
    const post = await allow(browser, url.searchParams);
    expect([post.status, ((await post.json()) as { id: string }).id]).toEqual([400, 'api.oauth.allow_oauth.redirect_callback.app_error']);
    const { code, verifier } = await codeFor(app);
    const other = await redeem(app, code, verifier, { redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    expect([other.status, other.body.id]).toEqual([400, 'api.oauth.get_access_token.redirect_uri.app_error']);
  });

  it('redeems a code once, and not after ten minutes', async () => {
    const app = await newApp({ trusted: true });
    const first = await codeFor(app);
    expect((await redeem(app, first.code, first.verifier)).status).toBe(200);
    const reused = await redeem(app, first.code, first.verifier);
    expect([reused.status, reused.body.id]).toEqual([400, 'api.oauth.get_access_token.expired_code.app_error']);

    const late = await codeFor(app);
    await db.query('UPDATE oauth_auth_data SET create_at = create_at - 601000 WHERE client_id = $1', [app.id]);
    const expired = await redeem(app, late.code, late.verifier);
    expect([expired.status, expired.body.id]).toEqual([403, 'api.oauth.get_access_token.expired_code.app_error']);
  });

  it("refuses a PKCE verifier that does not match, a missing one, and another app's code", async () => {
    const app = await newApp({ trusted: true });
    const a = await codeFor(app);
    const mismatch = await redeem(app, a.code, oidc.randomPKCECodeVerifier());
    expect([mismatch.status, mismatch.body.id]).toEqual([400, 'model.authorize.validate_pkce.verification_failed.app_error']);
    const b = await codeFor(app);
    const missing = await redeem(app, b.code, '');
    expect([missing.status, missing.body.id]).toEqual([400, 'model.authorize.validate_pkce.verifier_required.app_error']);
    const config = await configFor(app);
    const { url, state } = await authorization(config);
    const callback = new URL((await open(url, browser)).headers.get('location')!);
    await expect(oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: state })).rejects.toThrow();

    const other = await newApp({ trusted: true });
    const c = await codeFor(app);
    const stolen = await redeem(other, c.code, c.verifier);
    expect([stolen.status, stolen.body.id]).toEqual([400, 'api.oauth.get_access_token.expired_code.app_error']);
    // A bad challenge is refused before any code is made.
    const bad = await open(
      `${server.url}/oauth/authorize?response_type=code&client_id=${app.id}&redirect_uri=${encodeURIComponent(CALLBACK)}&code_challenge=short&code_challenge_method=S256`,
      browser,
    );
    expect(bad.status).toBe(400);
  });

  it("accepts only an OAuth app's session in ?access_token=", async () => {
    const res = await fetch(`${server.url}/api/v4/users/me?access_token=${alice.client.getToken()}`);
    expect(res.status).toBe(401);
  });

  it('answers 501 everywhere while EnableOAuthServiceProvider is off', async () => {
    const app = await newApp({ trusted: true });
    const { code, verifier } = await codeFor(app);
    await admin.client.patchConfig({ ServiceSettings: { EnableOAuthServiceProvider: false } } as any);
    try {
      const page = await open(`${server.url}/oauth/authorize?response_type=code&client_id=${app.id}&redirect_uri=${encodeURIComponent(CALLBACK)}`, browser);
      expect(page.status).toBe(501);
      const token = await redeem(app, code, verifier);
      expect([token.status, token.body.id]).toEqual([501, 'api.oauth.get_access_token.disabled.app_error']);
      const create = await expectClientError(() => newApp());
      expect([create.status_code, create.server_error_id]).toEqual([501, 'api.oauth.register_oauth_app.turn_off.app_error']);
      expect((await expectClientError(() => alice.client.getOAuthAppInfo(app.id))).status_code).toBe(501);
      expect((await fetch(`${server.url}/.well-known/oauth-authorization-server`)).status).toBe(501);
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { EnableOAuthServiceProvider: true } } as any);
    }
  });

  it('refuses a malformed token request with clear 400s', async () => {
    expect((await tokenRequest({ grant_type: 'password' })).body.id).toBe('api.oauth.get_access_token.bad_grant.app_error');
    expect((await tokenRequest({ grant_type: 'authorization_code' })).body.id).toBe('api.oauth.get_access_token.missing_code.app_error');
    expect((await tokenRequest({ grant_type: 'refresh_token' })).body.id).toBe('api.oauth.get_access_token.missing_refresh_token.app_error');
    const badClient = await tokenRequest({ grant_type: 'authorization_code', code: 'c', client_id: 'nope' });
    expect([badClient.status, badClient.body.id]).toEqual([400, 'api.oauth.get_access_token.bad_client_id.app_error']);
  });
});
