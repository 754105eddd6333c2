import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { Config, ConfigService, defaultConfig } from '#config';
import type { ExternalIdentity } from '../sso/external-accounts.service.js';
import type { SsoFlowsRepository } from '../sso/sso-flows.repository.js';
import { SignInTarget, WebSignIn } from '../sso/web-sign-in.js';
import { identityFromClaims, identityFromGitLabUser } from './identity.js';
import { loginProvider, oidcScope } from './login-providers.js';
import { OAuthLoginService } from './oauth-login.service.js';
import type { ProviderConfigs } from './provider-configs.js';

/** sso_flows in memory: take() removes, as the repository's DELETE … RETURNING does. */
class MemoryFlows {
  readonly rows = new Map<string, { kind: string; data: object }>();
  takes = 0;
  async put(kind: string, id: string, data: object): Promise<void> {
    this.rows.set(id, { kind, data: structuredClone(data) });
  }
  async take<T>(kind: string, id: string): Promise<T | undefined> {
    this.takes++;
    const row = this.rows.get(id);
    if (!row || row.kind !== kind) return undefined;
    this.rows.delete(id);
    return row.data as T;
  }
}

/** WebSignIn's two ends, recorded; target() is the real one (it reads only the config). */
function recordingWeb(config: ConfigService) {
  const real = new WebSignIn({} as never, config, {} as never);
  const calls: Array<{ kind: 'fail' | 'finish'; err?: unknown; target?: SignInTarget; identity?: ExternalIdentity }> = [];
  const web = {
    target: real.target.bind(real),
    fail: (_res: Response, err: unknown, target?: SignInTarget) => calls.push({ kind: 'fail', err, target }),
    finish: async (_res: Response, identity: ExternalIdentity, target: SignInTarget) => void calls.push({ kind: 'finish', identity, target }),
  } as unknown as WebSignIn;
  return { web, calls };
}

function setup(patch: (cfg: Config) => void = () => undefined) {
  const cfg = structuredClone(defaultConfig);
  cfg.ServiceSettings.SiteURL = 'https://chat.example.com';
  Object.assign(cfg.OpenIdSettings, { Enable: true, Id: 'client', Secret: 's', DiscoveryEndpoint: 'https://idp.example.com/.well-known/openid-configuration' });
  patch(cfg);
  const config = { get: () => cfg } as unknown as ConfigService;
  const flows = new MemoryFlows();
  const { web, calls } = recordingWeb(config);
  // Nothing here may reach a provider: every case is refused before discovery.
  const providers = { get: () => Promise.reject(new Error('no provider in unit specs')) } as unknown as ProviderConfigs;
  const service = new OAuthLoginService(config, flows as unknown as SsoFlowsRepository, web, providers);
  const res = { cookie: () => res, clearCookie: () => res, redirect: () => undefined } as unknown as Response;
  return { service, flows, calls, res, cfg };
}

// The refusals are logged for administrators; not here.
beforeAll(() => Logger.overrideLogger(false));

const idOf = (err: unknown) => (err instanceof AppError ? err.id : String(err));

describe('loginProvider', () => {
  it('reads each service from its section: OpenID Connect by discovery, GitLab by its endpoints unless it has a DiscoveryEndpoint', () => {
    const cfg = structuredClone(defaultConfig);
    Object.assign(cfg.GitLabSettings, {
      Enable: true,
      Id: 'gl',
      Secret: 's',
      AuthEndpoint: 'https://git.example.com/gitlab/oauth/authorize',
      TokenEndpoint: 'https://git.example.com/gitlab/oauth/token',
      UserAPIEndpoint: 'https://git.example.com/gitlab/api/v4/user',
    });
    expect(loginProvider('gitlab', cfg)).toMatchObject({ kind: 'oauth2', issuer: 'https://git.example.com/gitlab', scope: '' });
    cfg.GitLabSettings.DiscoveryEndpoint = 'https://git.example.com/gitlab/.well-known/openid-configuration';
    expect(loginProvider('gitlab', cfg)).toMatchObject({ kind: 'oidc', issuer: 'https://git.example.com/gitlab', scope: 'openid email profile' });

    Object.assign(cfg.GoogleSettings, { Enable: true, Id: 'g', Secret: 's' });
    expect(loginProvider('google', cfg)).toMatchObject({ kind: 'oidc', issuer: 'https://accounts.google.com', scope: 'profile email openid' });
  });

  it('finds Office 365 from DirectoryId (a tenant: "common" names no issuer a token could be checked against)', () => {
    const cfg = structuredClone(defaultConfig);
    Object.assign(cfg.Office365Settings, { Enable: true, Id: 'o', Secret: 's', DirectoryId: 'contoso.onmicrosoft.com' });
    expect(loginProvider('office365', cfg)).toMatchObject({
      kind: 'oidc',
      issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0',
      scope: 'User.Read openid email profile',
    });
    cfg.Office365Settings.DirectoryId = 'common';
    expect(() => loginProvider('office365', cfg)).toThrow(expect.objectContaining({ id: 'api.user.get_authorization_code.endpoint.app_error' }));
  });

  it("refuses an unknown or disabled service with Mattermost's error (501)", () => {
    const cfg = structuredClone(defaultConfig);
    for (const service of ['openid', 'facebook', 'constructor', '__proto__']) {
      expect(() => loginProvider(service, cfg)).toThrow(
        expect.objectContaining({ id: 'api.user.authorize_oauth_user.unsupported.app_error', statusCode: 501 }),
      );
    }
  });

  it('adds what OpenID sign-in needs to the configured scope, once', () => {
    expect(oidcScope('')).toBe('openid email profile');
    expect(oidcScope(' profile  openid email ')).toBe('profile openid email');
  });
});

describe('identity mapping', () => {
  it('maps OpenID claims: sub, email, preferred_username without its domain, given/family names or name', () => {
    expect(identityFromClaims('openid', { sub: 's1', email: 'A@x.org', preferred_username: 'ann@corp', name: 'Ann Van Dyke', nickname: 'a' })).toEqual({
      service: 'openid',
      authData: 's1',
      email: 'A@x.org',
      username: 'ann',
      firstName: 'Ann',
      lastName: 'Van Dyke',
      nickname: 'a',
    });
    expect(identityFromClaims('google', { sub: 's2', email: 'b@x.org', given_name: 'B', family_name: 'C' })).toMatchObject({
      username: 'b',
      firstName: 'B',
      lastName: 'C',
    });
  });

  it('refuses claims without sub or email, and an email the provider marks unverified', () => {
    expect(() => identityFromClaims('openid', { email: 'a@x.org' })).toThrow(expect.objectContaining({ id: 'api.user.login_by_oauth.parse.app_error' }));
    expect(() => identityFromClaims('openid', { sub: 's' })).toThrow(expect.objectContaining({ id: 'api.user.login_by_oauth.parse.app_error' }));
    expect(() => identityFromClaims('openid', { sub: 's', email: 'a@x.org', email_verified: false })).toThrow(
      expect.objectContaining({ id: 'api.user.login_by_oauth.email_not_verified.app_error' }),
    );
  });

  it("maps GitLab's /api/v4/user: numeric id, username (or login), name split once", () => {
    expect(identityFromGitLabUser({ id: 42, username: 'gl', email: 'g@x.org', name: 'Git Lab User' })).toEqual({
      service: 'gitlab',
      authData: '42',
      email: 'g@x.org',
      username: 'gl',
      firstName: 'Git',
      lastName: 'Lab User',
    });
    for (const bad of [undefined, [], { id: '42', email: 'g@x.org' }, { id: 0, email: 'g@x.org' }, { id: 1.5, email: 'g@x.org' }, { id: 4 }]) {
      expect(() => identityFromGitLabUser(bad)).toThrow(expect.objectContaining({ id: 'api.user.login_by_oauth.parse.app_error' }));
    }
  });
});

describe('OAuthLoginService, before any provider is asked', () => {
  it('refuses the signup route while user creation is off, and an unknown service', async () => {
    const { service, calls, res } = setup((cfg) => (cfg.TeamSettings.EnableUserCreation = false));
    await service.start(res, 'openid', { action: 'signup', origin: 'x' });
    await service.start(res, 'nope', { action: 'login', origin: 'x' });
    expect(calls.map((c) => idOf(c.err))).toEqual(['api.oauth.singup_with_oauth.disabled.app_error', 'api.user.authorize_oauth_user.unsupported.app_error']);
  });

  it('refuses a callback whose state names no flow, a flow of another service, or a flow of another browser — and takes the flow in each case', async () => {
    const { service, flows, calls, res } = setup((cfg) => Object.assign(cfg.GoogleSettings, { Enable: true, Id: 'g', Secret: 's' }));
    const state = 'S'.repeat(43);
    const flow = (s: string) => ({ service: s, verifier: 'v'.repeat(43), nonce: 'n', browser: 'b'.repeat(64), target: { action: 'login', redirectTo: '' } });
    const callback = (svc: string, cookie?: string) =>
      service.complete(res, svc, { params: new URLSearchParams({ code: 'c', state }), browserCookie: cookie, origin: 'x' });

    await callback('openid', 'cookie'); // no flow at all
    await flows.put('oauth-login', state, flow('google'));
    await callback('openid', 'cookie'); // a Google flow completed on the OpenID route
    expect(flows.rows.has(state)).toBe(false);
    await flows.put('oauth-login', state, flow('openid'));
    await callback('openid', 'not-the-browser'); // another browser's cookie
    expect(flows.rows.has(state)).toBe(false);
    await flows.put('oauth-login', state, flow('openid'));
    await callback('openid'); // no cookie
    expect(calls.map((c) => [c.kind, idOf(c.err), c.target])).toEqual(
      Array(4).fill(['fail', 'api.user.authorize_oauth_user.invalid_state.app_error', undefined]),
    );
  });

  it('refuses malformed states without a database round trip', async () => {
    const { service, flows, calls, res } = setup();
    const taken: string[] = [];
    for (const state of ['', 'short', 'x'.repeat(129), 'has spaces and ünïcode-0123456789', "'; DROP TABLE sso_flows;--"]) {
      await service.complete(res, 'openid', { params: new URLSearchParams({ code: 'c', state }), browserCookie: 'c', origin: 'x' });
      taken.push(idOf(calls.at(-1)?.err));
    }
    expect(new Set(taken)).toEqual(new Set(['api.user.authorize_oauth_user.invalid_state.app_error']));
    expect(flows.takes).toBe(0);
  });

  it("ends a provider error on the error page of the flow's target (the app's scheme for mobile)", async () => {
    const { service, flows, calls, res } = setup();
    const state = 'M'.repeat(43);
    const target = { action: 'mobile', redirectTo: 'mmauth://callback' };
    await flows.put('oauth-login', state, {
      service: 'openid',
      verifier: 'v',
      nonce: 'n',
      browser: createHash('sha256').update('cookie').digest('hex'),
      target,
    });
    await service.complete(res, 'openid', { params: new URLSearchParams({ error: 'access_denied', state }), browserCookie: 'cookie', origin: 'x' });
    expect(calls).toEqual([expect.objectContaining({ kind: 'fail', target })]);
    expect(idOf(calls[0].err)).toBe('api.user.authorize_oauth_user.access_denied.app_error');
  });
});
