/**
 * OpenID Connect sign-in across nodes: the state, nonce, PKCE verifier and target live in the
 * database (sso_flows), so every request of a sign-in may land on another node, and a state is
 * good for one callback cluster-wide. A real provider (oidc-provider, in the test process) and
 * the real nginx in front of three nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  eventually,
  freePort,
  HTTP_PORT,
  nodeHost,
  OidcAccount,
  oidcClient,
  OidcProviderPeer,
  oidcServiceEnv,
  Page,
  startOidcProvider,
  TestCluster,
  WebBrowser,
} from '#testing';
import { startFormedCluster } from './cluster-fixtures.js';

let cluster: TestCluster;
let idp: OidcProviderPeer;

const person = (id: number, username: string): OidcAccount => ({ id, username, password: `pw-${username}`, email: `${username}@idp.example` });
const ANN = person(2001, 'ann');
const BEN = person(2002, 'ben');
const CID = person(2003, 'cid');

beforeAll(async () => {
  const idpPort = await freePort();
  const client = oidcClient('mmchat');
  ({ cluster } = await startFormedCluster({ env: oidcServiceEnv('OPENIDSETTINGS', `http://127.0.0.1:${idpPort}`, client) }));
  idp = await startOidcProvider({ port: idpPort, client, redirectUris: [`${cluster.siteUrl}/signup/openid/complete`], accounts: [ANN, BEN, CID] });
});

afterAll(async () => {
  await idp?.stop();
  await cluster?.stop();
});

/** Sends requests for the site (nginx) to node `index` instead, keeping the site's cookies (the browser does not know). */
const onNode = (index: number) => (url: URL) => {
  if (url.origin !== cluster.siteUrl) return url;
  const pinned = new URL(url);
  pinned.host = `${nodeHost(index)}:${HTTP_PORT}`;
  return pinned;
};

async function startAt(browser: WebBrowser, node?: number): Promise<URL> {
  const page = await browser.navigate(`${cluster.siteUrl}/oauth/openid/login`, {
    until: (u) => u.origin === idp.url,
    via: node === undefined ? undefined : onNode(node),
  });
  expect(page.location?.startsWith(`${idp.url}/oauth/authorize?`), `${page.status} ${page.location}`).toBe(true);
  return new URL(page.location!);
}

function tokenOf(page: Page, browser: WebBrowser): string {
  expect(page.status).toBe(302);
  expect(page.location).toBe(`${cluster.siteUrl}/`);
  const token = browser.cookie(cluster.siteUrl, 'MMAUTHTOKEN');
  expect(token).toBeTruthy();
  return token!;
}

function expectRefused(page: Page, id: string) {
  expect(page.status).toBe(302);
  const to = new URL(page.location!);
  expect(`${to.origin}${to.pathname}`).toBe(`${cluster.siteUrl}/error`);
  expect(to.searchParams.get('error_id')).toBe(id);
  expect(page.setCookies.filter((c) => c.startsWith('MMAUTHTOKEN='))).toEqual([]);
}

describe('OpenID Connect sign-in on a cluster', () => {
  it('round trip through nginx: the start, the callback and the first API call each served by another node', async () => {
    const log = cluster.nginx!;
    const mark = log.accessLog().length;
    const browser = new WebBrowser();
    const authorization = await startAt(browser);
    const callback = await idp.authorize(browser, authorization.href, ANN);
    const token = tokenOf(await browser.request('GET', callback), browser);
    const client = clientFor(cluster.siteUrl);
    client.setToken(token);
    expect(await client.getMe()).toMatchObject({ auth_service: 'openid', username: 'ann' });

    // nginx writes an entry once the response is out, so the last one may come after the client has it.
    const served = await eventually(() => {
      const entries = log
        .accessLog()
        .slice(mark)
        .filter((e) => /^\/(oauth\/openid\/login|signup\/openid\/complete|api\/v4\/users\/me)/.test(e.uri))
        .map((e) => `${e.uri.split('?')[0]} → ${e.upstream}`);
      expect(entries).toHaveLength(3);
      return entries;
    }, 2000);
    // nginx's round robin sends consecutive requests to the next node.
    expect(new Set(served.map((s) => s.split(' → ')[1])).size, served.join('\n')).toBe(3);
  });

  it('pinned: started on node 0, completed on node 1; the same callback and its code refused on node 2', async () => {
    const browser = new WebBrowser();
    const authorization = await startAt(browser, 0);
    const callback = await idp.authorize(browser, authorization.href, BEN);
    tokenOf(await browser.request('GET', callback, { via: onNode(1) }), browser);

    // The callback URL again, on another node: its state was taken on node 1.
    expectRefused(await browser.request('GET', callback, { via: onNode(2) }), 'api.user.authorize_oauth_user.invalid_state.app_error');

    // The spent code under the state of a new sign-in started on node 2, completed on node 0:
    // refused by the provider (the code was bound to the first flow's PKCE challenge, and spent).
    const fresh = await startAt(browser, 2);
    const replay = new URL(callback);
    replay.searchParams.set('state', fresh.searchParams.get('state')!);
    expectRefused(await browser.request('GET', replay.href, { via: onNode(0) }), 'api.user.authorize_oauth_user.token_failed.app_error');
  });

  it('one callback sent to two nodes at once signs in exactly once', async () => {
    const browser = new WebBrowser();
    const authorization = await startAt(browser, 1);
    const callback = await idp.authorize(browser, authorization.href, CID);
    const answers = await Promise.all([1, 2].map((node) => browser.request('GET', callback, { via: onNode(node) })));
    const signedIn = answers.filter((a) => a.setCookies.some((c) => c.startsWith('MMAUTHTOKEN=')));
    expect(signedIn).toHaveLength(1);
    expectRefused(
      answers.find((a) => !signedIn.includes(a))!,
      'api.user.authorize_oauth_user.invalid_state.app_error',
    );
  });
});
