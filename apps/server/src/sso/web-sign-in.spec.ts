import { describe, expect, it, vi } from 'vitest';
import { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, badRequest } from '#common';
import { Config, ConfigService, defaultConfig } from '#config';
import { testSessions } from '../auth/sessions.fixtures.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import type { ExternalAccountsService, ExternalIdentity } from './external-accounts.service.js';
import { WebSignIn } from './web-sign-in.js';

const SITE = 'https://chat.example.com';

/** What a browser route's Response records: the status, where it redirects, the cookies and the page. */
class RecordedResponse {
  statusCode = 200;
  location = '';
  body = '';
  readonly headers: Record<string, string> = {};
  readonly cookies: Record<string, { value: string; options: Record<string, unknown> }> = {};
  redirect(status: number, url: string) {
    this.statusCode = status;
    this.location = url;
  }
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  type(t: string) {
    this.headers['content-type'] = t;
    return this;
  }
  set(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  send(body: string) {
    this.body = body;
    return this;
  }
  cookie(name: string, value: string, options: Record<string, unknown>) {
    this.cookies[name] = { value, options };
    return this;
  }
}

/** The two calls finish() makes of ExternalAccountsService, recorded. */
class RecordedAccounts {
  readonly signIns: ExternalIdentity[] = [];
  readonly switches: Array<{ token: string; identity: ExternalIdentity }> = [];
  constructor(private readonly user: UserRow) {}
  async signIn(identity: ExternalIdentity) {
    this.signIns.push(identity);
    return this.user;
  }
  async completeSwitch(token: string, identity: ExternalIdentity) {
    this.switches.push({ token, identity });
    return this.user;
  }
}

function setup(serviceSettings: Partial<Config['ServiceSettings']> = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.ServiceSettings, { SiteURL: SITE, ...serviceSettings });
  const configService = { get: () => config } as unknown as ConfigService;
  const { sessions, sessionRows } = testSessions(configService);
  const user = testUserRow('ssouser', { auth_service: 'saml', auth_data: 'subject' });
  const accounts = new RecordedAccounts(user);
  const web = new WebSignIn(sessions, configService, accounts as unknown as ExternalAccountsService);
  return { web, sessions, sessionRows, accounts, user, config };
}

const response = () => new RecordedResponse();
const asResponse = (r: RecordedResponse) => r as unknown as Response;
const identity: ExternalIdentity = { service: 'saml', authData: 'subject', email: 'ssouser@example.com' };

function refused(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

describe('WebSignIn.target: where a sign-in may end', () => {
  it('takes paths on this site and URLs under SiteURL', () => {
    const { web } = setup();
    expect(web.target(undefined, undefined)).toEqual({ action: 'login', redirectTo: '' });
    expect(web.target('login', '/team/channels/town-square')).toEqual({ action: 'login', redirectTo: '/team/channels/town-square' });
    expect(web.target('signup', `${SITE}/team/messages/@bob`).redirectTo).toBe(`${SITE}/team/messages/@bob`);
    expect(web.target('login', SITE).redirectTo).toBe(SITE);
  });

  it.each([
    ['a scheme-relative URL', '//evil.example.com/login'],
    ['a backslash browsers read as a host', '/\\evil.example.com'],
    ['another site', 'https://evil.example.com/'],
    ['another origin of the same host', 'http://chat.example.com/'],
    ['another port', 'https://chat.example.com:8443/'],
    ['a host that starts like ours', 'https://chat.example.com.evil.example.com/'],
    ['credentials before another host', 'https://chat.example.com@evil.example.com/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['an app scheme outside the mobile action', 'mmauth://callback'],
    ['a relative path without a slash', 'evil.example.com'],
  ])('refuses %s', (_, to) => {
    const { web } = setup();
    const err = refused(() => web.target('login', to));
    expect([err.statusCode, err.id]).toEqual([400, 'api.oauth.redirect_url.invalid.app_error']);
  });

  it('keeps a sign-in inside the SiteURL path when the site lives under one', () => {
    const { web } = setup({ SiteURL: 'https://example.com/chat' });
    expect(web.target('login', 'https://example.com/chat/team').redirectTo).toBe('https://example.com/chat/team');
    expect(refused(() => web.target('login', 'https://example.com/chatroom')).id).toBe('api.oauth.redirect_url.invalid.app_error');
    expect(refused(() => web.target('login', 'https://example.com/other')).id).toBe('api.oauth.redirect_url.invalid.app_error');
  });

  it('refuses every absolute URL when no SiteURL is set', () => {
    const { web } = setup({ SiteURL: '' });
    expect(refused(() => web.target('login', 'https://chat.example.com/x')).statusCode).toBe(400);
    expect(web.target('login', '/x').redirectTo).toBe('/x');
  });

  it('ends the mobile action on one of NativeAppSettings.AppCustomURLSchemes only', () => {
    const ctx = setup();
    expect(ctx.web.target('mobile', 'mmauth://callback')).toEqual({ action: 'mobile', redirectTo: 'mmauth://callback' });
    expect(ctx.web.target('mobile', 'MMAuthBeta://callback').redirectTo).toBe('MMAuthBeta://callback');
    expect(refused(() => ctx.web.target('mobile', 'evilapp://callback')).id).toBe('api.oauth.redirect_url.invalid.app_error');
    expect(refused(() => ctx.web.target('mobile', 'https://evil.example.com/')).id).toBe('api.oauth.redirect_url.invalid.app_error');
    ctx.config.NativeAppSettings.AppCustomURLSchemes = ['mycompany://'];
    expect(refused(() => ctx.web.target('mobile', 'mmauth://callback')).statusCode).toBe(400);
    expect(ctx.web.target('mobile', 'mycompany://done').redirectTo).toBe('mycompany://done');
  });

  it('refuses an unknown action, and a switch without its token', () => {
    const { web } = setup();
    expect(refused(() => web.target('hijack', '/')).id).toBe('api.user.oauth.invalid_action.app_error');
    expect(refused(() => web.target('email_to_sso', '/')).id).toBe('api.user.complete_switch_with_oauth.unavailable.app_error');
    expect(web.target('email_to_sso', undefined, 'tok')).toEqual({ action: 'email_to_sso', redirectTo: '', switchToken: 'tok' });
    // A switch token means nothing to any other action.
    expect(web.target('login', undefined, 'tok')).toEqual({ action: 'login', redirectTo: '' });
  });
});

describe('WebSignIn.complete and finish: the end of a sign-in that worked', () => {
  it('opens an SSO session, sets the session cookies and sends the browser on', async () => {
    const { web, sessions, sessionRows, user, config } = setup({ SessionLengthSSOInHours: 2 });
    const res = response();
    await web.complete(asResponse(res), user, web.target('login', '/team/channels/town-square'));
    expect([res.statusCode, res.location]).toEqual([302, `${SITE}/team/channels/town-square`]);
    const token = res.cookies.MMAUTHTOKEN.value;
    expect(res.cookies.MMAUTHTOKEN.options).toMatchObject({ httpOnly: true, secure: true });
    expect(res.cookies.MMUSERID.value).toBe(user.id);
    const session = await sessions.authenticate(token);
    expect(session.user_id).toBe(user.id);
    expect(res.cookies.MMCSRF.value).toBe(session.props.csrf);
    expect(session.expires_at - session.create_at).toBe(2 * 3_600_000);
    expect(sessionRows.rows.size).toBe(1);
    expect(config.ServiceSettings.SiteURL).toBe(SITE);

    const home = response();
    await web.complete(asResponse(home), user, web.target(undefined, undefined));
    expect(home.location).toBe(`${SITE}/`);
  });

  it('hands a mobile sign-in to the app on its scheme, with the token and CSRF token, in a mobile session', async () => {
    const { web, sessions, user } = setup({ SessionLengthMobileInHours: 24 * 30 });
    const res = response();
    await web.complete(asResponse(res), user, web.target('mobile', 'mmauth://callback'), { deviceId: 'apple_rn:dev' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const href = /href="([^"]+)"/.exec(res.body)![1].replace(/&#38;/g, '&');
    const url = new URL(href);
    expect(url.protocol).toBe('mmauth:');
    const session = await sessions.authenticate(url.searchParams.get('MMAUTHTOKEN')!);
    expect(url.searchParams.get('MMCSRF')).toBe(session.props.csrf);
    expect([session.device_id, session.expires_at - session.create_at]).toEqual(['apple_rn:dev', 30 * 24 * 3_600_000]);
  });

  it('signs in through the accounts service, or completes a switch and sends the user to the login page', async () => {
    const { web, accounts, sessionRows } = setup();
    const res = response();
    await web.finish(asResponse(res), identity, web.target('login', '/x'));
    expect(accounts.signIns).toEqual([identity]);
    expect(res.location).toBe(`${SITE}/x`);

    const switched = response();
    await web.finish(asResponse(switched), identity, web.target('email_to_sso', '/ignored', 'switch-token'));
    expect(accounts.switches).toEqual([{ token: 'switch-token', identity }]);
    expect([switched.statusCode, switched.location]).toEqual([302, `${SITE}/login?extra=signin_change`]);
    expect(switched.cookies).toEqual({});
    expect(sessionRows.rows.size).toBe(1); // the sign-in's only
  });
});

describe('WebSignIn.fail: the end of a sign-in that did not work', () => {
  it("shows the reason on the web app's error page, never as JSON, and opens no session", () => {
    const { web, sessionRows } = setup();
    const res = response();
    web.fail(asResponse(res), badRequest('api.user.saml.invalid_signature', 'The SAML response was not signed as required.'), web.target('login', '/x'));
    expect(res.statusCode).toBe(302);
    const url = new URL(res.location);
    expect(url.origin + url.pathname).toBe(`${SITE}/error`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      type: 'sso',
      message: 'The SAML response was not signed as required.',
      error_id: 'api.user.saml.invalid_signature',
    });
    expect(res.cookies).toEqual({});
    expect(sessionRows.rows.size).toBe(0);
  });

  it('shows an unexpected error generically, without its details (which go to the log)', () => {
    const { web } = setup();
    const res = response();
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    web.fail(asResponse(res), new Error('connect ECONNREFUSED 10.0.0.5:636 secret-host'));
    expect(logged.mock.calls[0][0]).toContain('secret-host');
    logged.mockRestore();
    const url = new URL(res.location);
    expect(url.searchParams.get('message')).toBe('An error occurred while signing in.');
    expect(res.location).not.toContain('secret-host');
  });

  it('hands the error to the mobile app on its scheme, escaped', () => {
    const { web } = setup();
    const res = response();
    web.fail(asResponse(res), badRequest('x', 'Bad "quote" <b>&'), web.target('mobile', 'mmauth://callback'));
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<b>');
    expect(res.body).not.toContain('"quote"');
    const href = /href="([^"]+)"/.exec(res.body)![1].replace(/&#38;/g, '&');
    expect(new URL(href).searchParams.get('error')).toBe('Bad "quote" <b>&');
  });
});
