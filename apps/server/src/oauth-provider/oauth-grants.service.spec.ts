import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { type ConfigService, defaultConfig } from '#config';
import { hashToken } from '#auth';
import type { Session } from '../common/session.js';
import { testSessions } from '../auth/sessions.fixtures.js';
import type { PreferencesRepository } from '../preferences/preferences.repository.js';
import { MemoryUsers } from '../users/in-memory-users.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { AuthorizeRequest } from './authorize.model.js';
import { MemoryOAuthAccess, MemoryOAuthApps, MemoryOAuthCodes } from './in-memory-oauth.js';
import type { OAuthAppsRepository } from './oauth-apps.repository.js';
import { OAuthAppsService } from './oauth-apps.service.js';
import type { OAuthAccessRepository, OAuthCodesRepository } from './oauth-grants.repository.js';
import { OAuthGrantsService } from './oauth-grants.service.js';

const CALLBACK = 'https://app.example.com/cb';

/** The preferences table's calls the provider makes, in memory (consents, by user and client id). */
class MemoryConsents {
  readonly rows = new Map<string, string>();
  constructor(private readonly apps: MemoryOAuthApps) {}
  async one(userId: string, _category: string, name: string) {
    return this.rows.has(`${userId}:${name}`) ? { user_id: userId, category: 'oauth_app', name, value: this.rows.get(`${userId}:${name}`)! } : undefined;
  }
  async upsert(prefs: Array<{ user_id: string; name: string; value: string }>) {
    for (const p of prefs) {
      this.rows.set(`${p.user_id}:${p.name}`, p.value);
      const ids = this.apps.consents.get(p.user_id) ?? new Set();
      this.apps.consents.set(p.user_id, ids.add(p.name));
    }
  }
  async delete(userId: string, keys: Array<{ name: string }>) {
    for (const k of keys) {
      this.rows.delete(`${userId}:${k.name}`);
      this.apps.consents.get(userId)?.delete(k.name);
    }
  }
  async deleteEveryones(_category: string, name: string) {
    for (const key of [...this.rows.keys()]) if (key.endsWith(`:${name}`)) this.rows.delete(key);
    for (const ids of this.apps.consents.values()) ids.delete(name);
  }
}

function setup() {
  const cfg = structuredClone(defaultConfig);
  const config = { get: () => cfg } as unknown as ConfigService;
  const { sessions, sessionRows, permissions } = testSessions(config);
  const apps = new MemoryOAuthApps();
  const codes = new MemoryOAuthCodes();
  const access = new MemoryOAuthAccess();
  const consents = new MemoryConsents(apps);
  const users = new MemoryUsers();
  const appsService = new OAuthAppsService(
    apps as unknown as OAuthAppsRepository,
    codes as unknown as OAuthCodesRepository,
    access as unknown as OAuthAccessRepository,
    consents as unknown as PreferencesRepository,
    sessions,
    permissions,
    config,
  );
  const grants = new OAuthGrantsService(
    appsService,
    apps as unknown as OAuthAppsRepository,
    codes as unknown as OAuthCodesRepository,
    access as unknown as OAuthAccessRepository,
    consents as unknown as PreferencesRepository,
    sessions,
    users as unknown as UsersRepository,
    config,
  );
  const person = (username: string, roles = 'system_user') => {
    const u = users.add(testUserRow(username, { roles }));
    return { user: u, session: { id: `s-${username}`, user_id: u.id, roles, is_oauth: false, props: {} } as unknown as Session };
  };
  const admin = person('admin', 'system_user system_admin');
  return { cfg, sessions, sessionRows, apps, codes, access, consents, users, appsService, grants, person, admin };
}

type Setup = ReturnType<typeof setup>;

const request = (clientId: string, over: Partial<AuthorizeRequest> = {}): AuthorizeRequest => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: CALLBACK,
  scope: '',
  state: 'st',
  code_challenge: '',
  code_challenge_method: '',
  ...over,
});

async function newApp(t: Setup, trusted = false) {
  return t.appsService.create(t.admin.session, {
    name: 'App',
    description: '',
    icon_url: '',
    callback_urls: [CALLBACK],
    homepage: 'https://app.example.com',
    is_trusted: trusted,
    mattermost_app_id: '',
  });
}

async function codeFor(t: Setup, session: Session, clientId: string, over: Partial<AuthorizeRequest> = {}) {
  const redirect = new URL(await t.grants.allow(session, request(clientId, over)));
  return redirect.searchParams.get('code')!;
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return [(err as AppError).statusCode, (err as AppError).id];
  }
  throw new Error('expected an AppError');
};

describe('OAuthAppsService', () => {
  it('makes only system admins mark apps trusted, and shows the secret to the creator and system admins', async () => {
    const t = setup();
    const maker = t.person('maker', 'system_user system_user_manager');
    const app = await newApp(t, true);
    expect(app.is_trusted).toBe(true);
    expect(app.client_secret).toMatch(/^[a-z0-9]{26}$/);
    expect(await errorOf(t.appsService.create(maker.session, { ...app, is_trusted: true }))).toEqual([403, 'api.context.permissions.app_error']);
    expect((await t.appsService.info(app.id)).client_secret).toBe('');
    expect(t.appsService.view(t.apps.rows.get(app.id)!, maker.session).client_secret).toBe('');
  });

  it('answers 501 while the provider is off, after the permission check', async () => {
    const t = setup();
    const app = await newApp(t);
    t.cfg.ServiceSettings.EnableOAuthServiceProvider = false;
    expect(await errorOf(t.appsService.info(app.id))).toEqual([501, 'api.oauth.allow_oauth.turn_off.app_error']);
    expect(await errorOf(t.appsService.list(t.person('plain').session, 0, 60))).toEqual([403, 'api.command.admin_only.app_error']);
  });
});

describe('OAuthGrantsService', () => {
  it('redeems a code once for a session token with is_oauth, and refreshes it into a new one', async () => {
    const t = setup();
    const app = await newApp(t);
    const alice = t.person('alice');
    const code = await codeFor(t, alice.session, app.id);
    const form = {
      grant_type: 'authorization_code',
      code,
      refresh_token: '',
      client_id: app.id,
      client_secret: app.client_secret,
      redirect_uri: CALLBACK,
      code_verifier: '',
    };
    const tokens = await t.grants.token(form);
    expect(tokens).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 720 * 3600,
      scope: 'user',
      refresh_token: expect.any(String),
    });
    const { session } = await t.sessions.authenticateWithAccount(tokens.access_token);
    expect(session).toMatchObject({ user_id: alice.user.id, is_oauth: true, props: { oauth_app_id: app.id } });
    expect(await errorOf(t.grants.token(form))).toEqual([400, 'api.oauth.get_access_token.expired_code.app_error']);

    const refreshed = await t.grants.token({ ...form, grant_type: 'refresh_token', code: '', refresh_token: tokens.refresh_token! });
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(await errorOf(t.sessions.authenticate(tokens.access_token))).toEqual([401, 'api.context.session_expired.app_error']);
    expect((await t.sessions.authenticate(refreshed.access_token)).user_id).toBe(alice.user.id);
    expect(await errorOf(t.grants.token({ ...form, grant_type: 'refresh_token', code: '', refresh_token: tokens.refresh_token! }))).toEqual([
      404,
      'api.oauth.get_access_token.refresh_token.app_error',
    ]);
    // Only digests are kept.
    expect([...t.access.rows.keys()]).toEqual([hashToken(refreshed.access_token)]);
  });

  it("refuses a wrong secret, another app's code or refresh token, a wrong redirect URI and an expired code", async () => {
    const t = setup();
    const app = await newApp(t);
    const other = await newApp(t);
    const alice = t.person('alice');
    const base = { grant_type: 'authorization_code', refresh_token: '', redirect_uri: CALLBACK, code_verifier: '' };
    const code = await codeFor(t, alice.session, app.id);
    expect(await errorOf(t.grants.token({ ...base, code, client_id: app.id, client_secret: 'nope' }))).toEqual([
      403,
      'api.oauth.get_access_token.credentials.app_error',
    ]);
    expect(await errorOf(t.grants.token({ ...base, code, client_id: other.id, client_secret: other.client_secret }))).toEqual([
      400,
      'api.oauth.get_access_token.expired_code.app_error',
    ]);
    const second = await codeFor(t, alice.session, app.id);
    expect(await errorOf(t.grants.token({ ...base, code: second, client_id: app.id, client_secret: app.client_secret, redirect_uri: `${CALLBACK}2` }))).toEqual(
      [400, 'api.oauth.get_access_token.redirect_uri.app_error'],
    );
    const late = await codeFor(t, alice.session, app.id);
    for (const row of t.codes.rows.values()) row.create_at -= 601_000;
    expect(await errorOf(t.grants.token({ ...base, code: late, client_id: app.id, client_secret: app.client_secret }))).toEqual([
      403,
      'api.oauth.get_access_token.expired_code.app_error',
    ]);
    const fresh = await codeFor(t, alice.session, app.id);
    const tokens = await t.grants.token({ ...base, code: fresh, client_id: app.id, client_secret: app.client_secret });
    expect(
      await errorOf(
        t.grants.token({
          ...base,
          grant_type: 'refresh_token',
          code: '',
          refresh_token: tokens.refresh_token!,
          client_id: other.id,
          client_secret: other.client_secret,
        }),
      ),
    ).toEqual([404, 'api.oauth.get_access_token.refresh_token.app_error']);
  });

  it('sends a signed-out person to the login page, asks consent once, and skips it for trusted apps', async () => {
    const t = setup();
    const app = await newApp(t);
    const trusted = await newApp(t, true);
    const alice = t.person('alice');
    expect(await t.grants.authorizePage(undefined, request(app.id), '/oauth/authorize?x=1')).toEqual({
      kind: 'login',
      location: `${t.cfg.ServiceSettings.SiteURL}/login?redirect_to=%2Foauth%2Fauthorize%3Fx%3D1`,
    });
    expect(await t.grants.authorizePage(alice.session, request(app.id), '')).toEqual({ kind: 'consent' });
    await codeFor(t, alice.session, app.id);
    expect((await t.grants.authorizePage(alice.session, request(app.id), '')).kind).toBe('redirect');
    expect((await t.grants.authorizePage(alice.session, request(trusted.id), '')).kind).toBe('redirect');
    expect(await errorOf(t.grants.authorizePage(alice.session, request(app.id, { redirect_uri: 'https://evil.example/cb' }), ''))).toEqual([
      400,
      'api.oauth.allow_oauth.redirect_callback.app_error',
    ]);
    expect(new URL(await t.grants.allow(alice.session, request(app.id, { response_type: 'token' }))).searchParams.get('error')).toBe(
      'unsupported_response_type',
    );
    expect(await errorOf(t.grants.allow({ ...alice.session, is_oauth: true }, request(app.id)))).toEqual([403, 'api.context.permissions.app_error']);
  });

  it("deauthorizing ends the person's tokens and consent for that app only; deleting the app ends everyone's", async () => {
    const t = setup();
    const app = await newApp(t);
    const alice = t.person('alice');
    const bob = t.person('bob');
    const redeem = async (who: typeof alice) =>
      t.grants.token({
        grant_type: 'authorization_code',
        code: await codeFor(t, who.session, app.id),
        refresh_token: '',
        client_id: app.id,
        client_secret: app.client_secret,
        redirect_uri: CALLBACK,
        code_verifier: '',
      });
    const [a, b] = [await redeem(alice), await redeem(bob)];
    await t.appsService.deauthorize(alice.session, app.id);
    expect(await errorOf(t.sessions.authenticate(a.access_token))).toEqual([401, 'api.context.session_expired.app_error']);
    expect((await t.sessions.authenticate(b.access_token)).user_id).toBe(bob.user.id);
    expect(await t.appsService.authorizedApps(alice.session, alice.user.id, 0, 60)).toEqual([]);
    expect((await t.appsService.authorizedApps(bob.session, bob.user.id, 0, 60)).map((x) => x.id)).toEqual([app.id]);
    await t.appsService.delete(t.admin.session, app.id);
    expect(await errorOf(t.sessions.authenticate(b.access_token))).toEqual([401, 'api.context.session_expired.app_error']);
    expect(await t.appsService.authorizedApps(bob.session, bob.user.id, 0, 60)).toEqual([]);
  });
});
