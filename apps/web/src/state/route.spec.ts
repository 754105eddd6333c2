import { describe, expect, it } from 'vitest';
import { isPublicScreen, parseRoute, routePath, safeRedirect, sessionRedirect, type Route } from './route';

describe('parseRoute', () => {
  it.each<[string, string, Route]>([
    ['/', '', { screen: 'root' }],
    [
      '/login',
      '?redirect_to=%2Fteam%2Fchannels%2Fgeneral&extra=signin_change',
      { screen: 'login', redirectTo: '/team/channels/general', extra: 'signin_change' },
    ],
    ['/login/', '', { screen: 'login', redirectTo: '', extra: '' }],
    ['/signup_user_complete', '', { screen: 'signup' }],
    ['/create_team', '', { screen: 'create_team' }],
    ['/select_team', '', { screen: 'select_team' }],
    ['/error', '?type=sso&message=Nope', { screen: 'error', type: 'sso', message: 'Nope' }],
    ['/admin_console', '', { screen: 'admin_console', section: '' }],
    ['/admin_console/environment/web_server', '', { screen: 'admin_console', section: 'environment/web_server' }],
    ['/acme', '', { screen: 'team', team: 'acme' }],
    ['/acme/channels/town-square', '', { screen: 'channel', team: 'acme', channel: 'town-square' }],
    ['/acme/messages/@bob', '', { screen: 'direct', team: 'acme', username: 'bob' }],
    ['/acme/messages/bob', '', { screen: 'not_found', path: '/acme/messages/bob' }],
    ['/acme/messages/' + 'a1'.repeat(20), '', { screen: 'group', team: 'acme', channel: 'a1'.repeat(20) }],
    ['/acme/threads', '', { screen: 'threads', team: 'acme', thread: '' }],
    ['/acme/threads/abc123', '', { screen: 'threads', team: 'acme', thread: 'abc123' }],
    ['/acme/threads/abc/x', '', { screen: 'not_found', path: '/acme/threads/abc/x' }],
    ['/acme/channels', '', { screen: 'not_found', path: '/acme/channels' }],
    ['/login/extra', '', { screen: 'not_found', path: '/login/extra' }],
    ['/oauth/authorize', '?client_id=abc&state=s%201', { screen: 'oauth_authorize', params: 'client_id=abc&state=s+1' }],
    ['/oauth/other', '', { screen: 'not_found', path: '/oauth/other' }],
  ])('%s%s', (path, search, route) => {
    expect(parseRoute(path, search)).toEqual(route);
  });

  it('decodes segments, and keeps a badly encoded one as it is', () => {
    expect(parseRoute('/acme/channels/caf%C3%A9')).toEqual({ screen: 'channel', team: 'acme', channel: 'café' });
    expect(parseRoute('/acme/channels/%E0%A4%A')).toEqual({ screen: 'channel', team: 'acme', channel: '%E0%A4%A' });
  });

  it('drops a redirect_to that leaves the site', () => {
    expect(parseRoute('/login', '?redirect_to=https%3A%2F%2Fevil.example%2F')).toMatchObject({ redirectTo: '' });
    expect(parseRoute('/login', '?redirect_to=%2F%2Fevil.example')).toMatchObject({ redirectTo: '' });
  });
});

describe('routePath', () => {
  it.each<Route>([
    { screen: 'root' },
    { screen: 'login', redirectTo: '/acme/channels/off-topic', extra: '' },
    { screen: 'login', redirectTo: '', extra: '' },
    { screen: 'signup' },
    { screen: 'create_team' },
    { screen: 'select_team' },
    { screen: 'error', type: 'sso', message: 'The account is locked.' },
    { screen: 'admin_console', section: 'user_management/users' },
    { screen: 'team', team: 'acme' },
    { screen: 'channel', team: 'acme', channel: 'town-square' },
    { screen: 'direct', team: 'acme', username: 'bob.smith' },
    { screen: 'group', team: 'acme', channel: '0123456789abcdef0123456789abcdef01234567' },
    { screen: 'threads', team: 'acme', thread: '' },
    { screen: 'threads', team: 'acme', thread: 'p1' },
    { screen: 'oauth_authorize', params: 'response_type=code&client_id=abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcb' },
  ])('round-trips %j', (route) => {
    const url = new URL(routePath(route), 'http://localhost');
    expect(parseRoute(url.pathname, url.search)).toEqual(route);
  });

  it('writes the paths Mattermost uses', () => {
    expect(routePath({ screen: 'channel', team: 'acme', channel: 'town-square' })).toBe('/acme/channels/town-square');
    expect(routePath({ screen: 'login', redirectTo: '/acme', extra: '' })).toBe('/login?redirect_to=%2Facme');
    expect(routePath({ screen: 'direct', team: 'acme', username: 'bob' })).toBe('/acme/messages/@bob');
  });
});

describe('safeRedirect', () => {
  it.each([
    ['/acme/channels/x', '/acme/channels/x'],
    ['', ''],
    [null, ''],
    ['acme', ''],
    ['//evil.example/x', ''],
    ['/\\evil.example', ''],
    ['https://evil.example/', ''],
    ['javascript:alert(1)', ''],
  ])('%s → %s', (to, expected) => {
    expect(safeRedirect(to)).toBe(expected);
  });
});

describe('isPublicScreen', () => {
  it('lets signed-out people see only the sign-in, sign-up, error and not-found screens', () => {
    expect(['login', 'signup', 'error', 'not_found'].every((s) => isPublicScreen(s as Route['screen']))).toBe(true);
    expect(['root', 'channel', 'direct', 'team', 'create_team', 'admin_console'].some((s) => isPublicScreen(s as Route['screen']))).toBe(false);
  });
});

describe('sessionRedirect', () => {
  it('sends signed-out people to the login page, keeping where they were going', () => {
    expect(sessionRedirect({ screen: 'channel', team: 'acme', channel: 'x' }, 'signed-out', '/acme/channels/x')).toBe(
      '/login?redirect_to=%2Facme%2Fchannels%2Fx',
    );
    expect(sessionRedirect({ screen: 'root' }, 'signed-out', '/')).toBe('/login');
    expect(sessionRedirect({ screen: 'admin_console', section: 'users' }, 'signed-out', '/admin_console/users')).toBe(
      '/login?redirect_to=%2Fadmin_console%2Fusers',
    );
    expect(sessionRedirect({ screen: 'login', redirectTo: '', extra: '' }, 'signed-out', '/login')).toBeUndefined();
    expect(sessionRedirect({ screen: 'error', type: '', message: '' }, 'signed-out', '/error')).toBeUndefined();
  });

  it('lets signed-in people skip the login and sign-up pages', () => {
    expect(sessionRedirect({ screen: 'login', redirectTo: '/acme/channels/x', extra: '' }, 'signed-in', '/login')).toBe('/acme/channels/x');
    expect(sessionRedirect({ screen: 'login', redirectTo: '', extra: '' }, 'signed-in', '/login')).toBe('/');
    expect(sessionRedirect({ screen: 'signup' }, 'signed-in', '/signup_user_complete')).toBe('/');
    expect(sessionRedirect({ screen: 'channel', team: 'acme', channel: 'x' }, 'signed-in', '/acme/channels/x')).toBeUndefined();
  });
});
