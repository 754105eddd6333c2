/**
 * Signing in to a third-party app through this server's OAuth 2.0 provider, in Chromium: the app
 * (openid-client, with its callback served by an HTTP server the test starts) sends the person to
 * /oauth/authorize; signed out, they log in on the login page and come back; the web app's consent
 * page names the app; Allow lands the browser on the app's callback with a code the app redeems
 * (PKCE), Deny with error=access_denied. No page breaks its CSP.
 *
 * Skipped, saying why, when /usr/bin/chromium is missing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { OAuthApp } from '@mattermost/types/integrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, clientFor, startServer, TestBrowser, type NewUser, type Person, type TestServer } from '#testing';

const missing = chromiumMissing();
if (missing) console.warn(missing);

let server: TestServer;
let browser: TestBrowser;
let admin: NewUser;
let alice: NewUser;
let person: Person;
let appServer: Server;
let callback: string;
/** The callbacks the app received, as URLs (not the browser's favicon requests). */
const received: URL[] = [];
const lastCallback = () => received.filter((u) => u.pathname === '/callback').at(-1)!;

async function newApp(name: string): Promise<OAuthApp> {
  return admin.client.createOAuthApp({
    name,
    description: `${name} wants to read your profile`,
    homepage: 'https://app.example.com',
    callback_urls: [callback],
  } as OAuthApp);
}

async function configFor(app: OAuthApp) {
  return oidc.discovery(new URL(server.url), app.id, app.client_secret, undefined, { execute: [oidc.allowInsecureRequests], algorithm: 'oauth2' });
}

describe.skipIf(!!missing)(`signing in to an app with the OAuth provider, in Chromium${missing ? ` — ${missing}` : ''}`, () => {
  beforeAll(async () => {
    server = await startServer();
    admin = await server.newUser();
    alice = await server.newUser();
    appServer = createServer((req, res) => {
      received.push(new URL(req.url ?? '/', callback));
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('signed in to the app');
    });
    await new Promise<void>((resolve) => appServer.listen(0, '127.0.0.1', resolve));
    callback = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}/callback`;
    browser = await TestBrowser.launch('oauth');
    person = await browser.person('alice', server.url);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => appServer?.close(resolve));
    await server?.stop();
  });

  it('logs the person in, asks for consent, and hands the app a code it redeems', async () => {
    const app = await newApp('Calendar');
    const config = await configFor(app);
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: callback,
      scope: 'user',
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });

    await person.page.goto(url.href);
    await person.page.getByLabel('Email or username', { exact: true }).fill(alice.user.username);
    await person.page.getByLabel('Password', { exact: true }).fill(alice.password);
    await person.page.getByRole('button', { name: 'Log in' }).click();

    await person.page.getByRole('heading', { name: 'Authorize application' }).waitFor();
    await person.page.getByText('Calendar', { exact: true }).waitFor();
    expect(await person.page.getByText('Calendar wants to read your profile').isVisible()).toBe(true);
    await browser.screenshot(person.page, 'consent');

    await person.page.getByRole('button', { name: 'Allow' }).click();
    await person.page.waitForURL((u) => u.href.startsWith(callback));
    const landed = lastCallback();
    expect(landed.searchParams.get('state')).toBe(state);
    const tokens = await oidc.authorizationCodeGrant(config, landed, { pkceCodeVerifier: verifier, expectedState: state });
    const client = clientFor(server.url);
    client.setToken(tokens.access_token);
    expect((await client.getMe()).id).toBe(alice.user.id);
    expect(await person.page.textContent('body')).toContain('signed in to the app');
  });

  it('goes back to the app with error=access_denied when the person denies it', async () => {
    const app = await newApp('Tracker');
    const config = await configFor(app);
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: callback, state: 'deny-me' });
    await person.page.goto(url.href);
    await person.page.getByText('Tracker', { exact: true }).waitFor();
    await person.page.getByRole('button', { name: 'Deny' }).click();
    await person.page.waitForURL((u) => u.href.startsWith(callback));
    const landed = lastCallback();
    expect(Object.fromEntries(landed.searchParams)).toEqual({ error: 'access_denied', state: 'deny-me' });
    expect(await alice.client.getAuthorizedOAuthApps(alice.user.id)).toHaveLength(1);
  });

  it('broke no Content-Security-Policy on the way', () => {
    expect(person.cspViolations).toEqual([]);
    expect(person.console.filter((line) => line.startsWith('pageerror'))).toEqual([]);
  });
});
