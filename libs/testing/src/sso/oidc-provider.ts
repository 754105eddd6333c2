/**
 * A real OpenID provider for the sign-in tests: panva's certified oidc-provider, in the test
 * process, on a loopback port. It has two confidential clients that must use PKCE (S256), a fixed
 * account store, its own login and consent pages (driven by WebBrowser through their forms),
 * GitLab's endpoint paths (/oauth/authorize, /oauth/token) and GitLab's /api/v4/user, answered
 * for the access tokens this provider issued — so the GitLab flavour of sign-in runs against it
 * too.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { Adapter, AdapterPayload, ClientMetadata, Configuration, ErrorOut, KoaContextWithOIDC } from 'oidc-provider';
import { freePort } from '../ports.js';
import { formOf, type HtmlForm, type Page, type WebBrowser } from './web-browser.js';

export interface OidcAccount {
  /** The subject (`sub`) and GitLab's numeric user id, as GitLab's OpenID Connect does. */
  id: number;
  /** What the login form takes, and preferred_username / GitLab's username. */
  username: string;
  password: string;
  email: string;
  emailVerified?: boolean;
  givenName?: string;
  familyName?: string;
  nickname?: string;
}

export interface OidcClient {
  id: string;
  secret: string;
}

export interface OidcProviderOptions {
  /** Loopback host (default 127.0.0.1) and port (default: a free one). */
  host?: string;
  port?: number;
  /** The redirect URIs both clients are registered with (e.g. SiteURL/signup/openid/complete). */
  redirectUris: string[];
  accounts: OidcAccount[];
  /** The client the server under test uses, and a second relying party (default: new ones, see oidcClient()). */
  client?: OidcClient;
  otherClient?: OidcClient;
}

/** A confidential client with a fresh random secret. */
export function oidcClient(id: string): OidcClient {
  return { id, secret: randomBytes(24).toString('base64url') };
}

/**
 * The MM_* settings of a service (section OPENIDSETTINGS, GOOGLESETTINGS, OFFICE365SETTINGS,
 * GITLABSETTINGS) signing in through the discovery document of the provider at `issuer`. They
 * can be given to a server before the provider starts: it is discovered on the first sign-in.
 */
export function oidcServiceEnv(section: string, issuer: string, client: OidcClient): Record<string, string> {
  return {
    [`MM_${section}_ENABLE`]: 'true',
    [`MM_${section}_ID`]: client.id,
    [`MM_${section}_SECRET`]: client.secret,
    [`MM_${section}_DISCOVERYENDPOINT`]: `${issuer}/.well-known/openid-configuration`,
  };
}

/** The MM_GITLABSETTINGS_* of GitLab's classic OAuth 2.0 flow (no discovery) against the provider at `issuer`. */
export function gitLabServiceEnv(issuer: string, client: OidcClient): Record<string, string> {
  return {
    MM_GITLABSETTINGS_ENABLE: 'true',
    MM_GITLABSETTINGS_ID: client.id,
    MM_GITLABSETTINGS_SECRET: client.secret,
    MM_GITLABSETTINGS_SCOPE: 'read_user',
    MM_GITLABSETTINGS_AUTHENDPOINT: `${issuer}/oauth/authorize`,
    MM_GITLABSETTINGS_TOKENENDPOINT: `${issuer}/oauth/token`,
    MM_GITLABSETTINGS_USERAPIENDPOINT: `${issuer}/api/v4/user`,
  };
}

/** oidc-provider's own error page (errors it cannot send back to a client), as JSON so a failing test shows it. */
function renderError(ctx: KoaContextWithOIDC, out: ErrorOut): void {
  ctx.type = 'json';
  ctx.body = out;
}

const SIGNING_KEY_ID = 'test-signing-key';
/** GitLab's path of the provider's public keys. */
const JWKS_PATH = '/oauth/discovery/keys';

/** A key set with a fresh public key under the provider's signing key id. */
function foreignKeySet(): { keys: object[] } {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: SIGNING_KEY_ID, use: 'sig', alg: 'RS256' }] };
}

export class OidcProviderPeer {
  /** The issuer, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** The client the server under test is configured with, and another relying party of the same provider. */
  readonly client: OidcClient;
  readonly otherClient: OidcClient;
  /** The accounts by login; change their fields between sign-ins to see attributes follow. */
  readonly accounts = new Map<string, OidcAccount>();
  /** Seconds an issued ID token is valid; a negative value makes the provider issue already expired ones. */
  idTokenTtl = 3600;
  /**
   * When set, the provider's key set endpoint publishes another key under its signing key's id
   * (the provider still signs with its own): an ID token whose signature no published key checks,
   * as from a provider whose keys were swapped or a token forged by someone without the key.
   */
  publishForeignKeys = false;
  /** Why the token endpoint refused each grant it refused ("PKCE verification failed", "client mismatch", …), in order. */
  readonly grantErrors: string[] = [];
  private provider!: Provider;
  private server?: Server;

  private readonly host: string;
  private readonly redirectUris: string[];

  private constructor(
    readonly port: number,
    opts: OidcProviderOptions,
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.url = `http://${this.host}:${port}`;
    this.redirectUris = opts.redirectUris;
    this.client = opts.client ?? oidcClient('mmchat');
    this.otherClient = opts.otherClient ?? oidcClient('other-app');
    for (const a of opts.accounts) this.accounts.set(a.username, a);
  }

  static async start(opts: OidcProviderOptions): Promise<OidcProviderPeer> {
    const peer = new OidcProviderPeer(opts.port ?? (await freePort()), opts);
    await peer.listen();
    return peer;
  }

  /** The discovery document's URL (what DiscoveryEndpoint settings take). */
  get discoveryUrl(): string {
    return `${this.url}/.well-known/openid-configuration`;
  }

  /**
   * Plays the person at the provider: from the authorization URL (a redirect a server sent the
   * browser to) through the login form and the consent form, up to the redirect back to the
   * client, which is returned unfollowed (its URL carries the code and state). `deny` cancels at
   * the consent form instead (the client gets error=access_denied).
   */
  async authorize(
    browser: WebBrowser,
    authorizationUrl: string,
    login: { username: string; password: string },
    opts: { deny?: boolean } = {},
  ): Promise<string> {
    return authorizeAtProvider(this.url, browser, authorizationUrl, login, opts);
  }

  /** A token request made directly at the provider (what someone holding a stolen code could try). */
  async tokenRequest(params: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    // Loaded here, not at import: #testing is imported by every suite and most never need it.
    const { default: ProviderClass } = await import('oidc-provider');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: SIGNING_KEY_ID, use: 'sig', alg: 'RS256' };
    const client = (c: OidcClient): ClientMetadata => ({
      client_id: c.id,
      client_secret: c.secret,
      redirect_uris: this.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    });
    const configuration: Configuration = {
      clients: [client(this.client), client(this.otherClient)],
      jwks: { keys: [signingKey] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      pkce: { required: () => true, methods: ['S256'] },
      scopes: ['openid', 'email', 'profile', 'read_user'],
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['preferred_username', 'given_name', 'family_name', 'nickname', 'name'],
      },
      // GitLab's paths, so that GitLab's settings (AuthEndpoint, TokenEndpoint) point here as they would at a GitLab.
      routes: { authorization: '/oauth/authorize', token: '/oauth/token', userinfo: '/oauth/userinfo', jwks: JWKS_PATH },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      ttl: {
        IdToken: () => this.idTokenTtl,
        AccessToken: 600,
        AuthorizationCode: 60,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
      adapter: MemoryStore.factory(),
      findAccount: (_ctx, id) => {
        const account = [...this.accounts.values()].find((a) => String(a.id) === id);
        if (!account) return undefined;
        return { accountId: id, claims: () => claimsOf(account) };
      },
      renderError,
    };
    this.provider = new ProviderClass(this.url, configuration);
    this.provider.on('grant.error', (_ctx, err) => this.grantErrors.push(err.error_detail ?? err.message));
    const handler = this.provider.callback();
    this.server = createServer((req, res) => {
      this.route(req, res, handler).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, this.host, () => resolve());
    });
    if ((this.server.address() as AddressInfo).port !== this.port) throw new Error('provider port mismatch');
  }

  private async route(req: IncomingMessage, res: ServerResponse, provider: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const interaction = /^\/interaction\/([\w-]+)(?:\/(login|confirm|abort))?$/.exec(url.pathname);
    if (interaction) return this.interaction(req, res, interaction[1], interaction[2]);
    if (url.pathname === '/api/v4/user' && req.method === 'GET') return this.gitLabUser(req, res);
    if (url.pathname === JWKS_PATH && this.publishForeignKeys) return send(res, 200, 'application/json', JSON.stringify(foreignKeySet()));
    await provider(req, res);
  }

  /** The login and consent pages, and their form posts. */
  private async interaction(req: IncomingMessage, res: ServerResponse, uid: string, step: string | undefined): Promise<void> {
    const details = await this.provider.interactionDetails(req, res);
    if (details.uid !== uid) return send(res, 400, 'text/plain', 'interaction mismatch');
    if (step === 'abort') {
      return this.provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
    }
    if (step === 'login' && req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const account = this.accounts.get(form.get('login') ?? '');
      if (!account || account.password !== form.get('password')) return send(res, 200, 'text/html', loginPage(uid, 'Wrong username or password.'));
      return this.provider.interactionFinished(req, res, { login: { accountId: String(account.id) } }, { mergeWithLastSubmission: false });
    }
    if (step === 'confirm' && req.method === 'POST') {
      await readBody(req);
      const { prompt, params, session, grantId } = details;
      const grant = grantId
        ? await this.provider.Grant.find(grantId)
        : new this.provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
      if (!grant) return send(res, 400, 'text/plain', 'no grant');
      const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      const saved = await grant.save();
      return this.provider.interactionFinished(req, res, { consent: { grantId: saved } }, { mergeWithLastSubmission: true });
    }
    if (details.prompt.name === 'login') return send(res, 200, 'text/html', loginPage(uid));
    return send(res, 200, 'text/html', consentPage(uid, String(details.params.client_id), String(details.params.scope ?? '')));
  }

  /** GitLab's GET /api/v4/user for a bearer access token this provider issued. */
  private async gitLabUser(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const found = token ? await this.provider.AccessToken.find(token) : undefined;
    const account = found && !found.isExpired ? [...this.accounts.values()].find((a) => String(a.id) === found.accountId) : undefined;
    if (!account) return send(res, 401, 'application/json', JSON.stringify({ message: '401 Unauthorized' }));
    const name = [account.givenName, account.familyName].filter(Boolean).join(' ');
    return send(res, 200, 'application/json', JSON.stringify({ id: account.id, username: account.username, name, state: 'active', email: account.email }));
  }
}

/** The provider's storage (codes, tokens, sessions, grants), in this process: one provider, one test run. */
class MemoryStore implements Adapter {
  private constructor(
    private readonly name: string,
    private readonly rows: Map<string, { payload: AdapterPayload; expiresAt: number }>,
  ) {}

  static factory(): (name: string) => Adapter {
    const rows = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
    return (name) => new MemoryStore(name, rows);
  }

  private key = (id: string) => `${this.name}:${id}`;

  private live(key: string): AdapterPayload | undefined {
    const row = this.rows.get(key);
    if (row && row.expiresAt > Date.now()) return row.payload;
    this.rows.delete(key);
    return undefined;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    this.rows.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    return this.live(this.key(id));
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    for (const key of this.rows.keys()) if (key.startsWith(`${this.name}:`) && this.live(key)?.uid === uid) return this.live(key);
    return undefined;
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    for (const key of this.rows.keys()) if (key.startsWith(`${this.name}:`) && this.live(key)?.userCode === userCode) return this.live(key);
    return undefined;
  }

  async consume(id: string): Promise<void> {
    const payload = this.live(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string): Promise<void> {
    this.rows.delete(this.key(id));
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, row] of this.rows) if (row.payload.grantId === grantId) this.rows.delete(key);
  }
}

/**
 * OidcProviderPeer.authorize for a provider at `issuer` that runs elsewhere (another process, as
 * in bench:sso): the person's login and consent on the provider's own pages, up to the redirect
 * back to the client, returned unfollowed.
 */
export async function authorizeAtProvider(
  issuer: string,
  browser: WebBrowser,
  authorizationUrl: string,
  login: { username: string; password: string },
  opts: { deny?: boolean } = {},
): Promise<string> {
  const leaves = (u: URL) => u.origin !== issuer;
  const credentials = { login: login.username, password: login.password };
  let page: Page = await browser.navigate(authorizationUrl, { until: leaves });
  for (let step = 0; step < 4 && !page.location; step++) {
    if (page.status !== 200) throw new Error(`provider answered ${page.status}: ${page.body.slice(0, 500)}`);
    if (page.body.includes('name="password"')) page = await browser.submit(formOf(page), credentials, { until: leaves });
    else if (opts.deny) page = await browser.navigate(new URL(/href="([^"]*abort)"/.exec(page.body)![1], page.url).href, { until: leaves });
    else page = await browser.submit(formOf(page, isConsent), {}, { until: leaves });
  }
  if (!page.location) throw new Error(`the provider did not send the browser back: ${page.status} ${page.body.slice(0, 500)}`);
  return page.location;
}

/** The consent page's form (consentPage()). */
const isConsent = (form: HtmlForm) => form.action.endsWith('/confirm');

/** Starts an OpenID provider (see OidcProviderPeer); stop it in afterAll. */
export function startOidcProvider(opts: OidcProviderOptions): Promise<OidcProviderPeer> {
  return OidcProviderPeer.start(opts);
}

function claimsOf(a: OidcAccount) {
  return {
    sub: String(a.id),
    email: a.email,
    email_verified: a.emailVerified ?? true,
    preferred_username: a.username,
    given_name: a.givenName,
    family_name: a.familyName,
    nickname: a.nickname,
    name: [a.givenName, a.familyName].filter(Boolean).join(' ') || undefined,
  };
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid: string, error = ''): string {
  return (
    `<!DOCTYPE html><html><body><h1>Sign in</h1>${error ? `<p class="error">${escape(error)}</p>` : ''}` +
    `<form method="post" action="/interaction/${uid}/login"><input name="login"><input type="password" name="password"><button>Sign in</button></form>` +
    `<a href="/interaction/${uid}/abort">Cancel</a></body></html>`
  );
}

function consentPage(uid: string, clientId: string, scope: string): string {
  return (
    `<!DOCTYPE html><html><body><h1>Authorize ${escape(clientId)}</h1><p>${escape(scope)}</p>` +
    `<form method="post" action="/interaction/${uid}/confirm"><button>Allow</button></form>` +
    `<a href="/interaction/${uid}/abort">Deny</a></body></html>`
  );
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
