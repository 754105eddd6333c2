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
    ['/signup_user_complete', '', { screen: 'signup', token: '', inviteId: '', data: '' }],
    // The invitation link the server mails (with a trailing slash, as Mattermost's).
    [
      '/signup_user_complete/',
      '?d=%7B%22email%22%3A%22c%40example.com%22%7D&t=tok123&md=email',
      { screen: 'signup', token: 'tok123', inviteId: '', data: '{"email":"c@example.com"}' },
    ],
    ['/signup_user_complete', '?id=inv1', { screen: 'signup', token: '', inviteId: 'inv1', data: '' }],
    ['/reset_password', '', { screen: 'reset_password' }],
    ['/reset_password_complete', '?token=abc', { screen: 'reset_password_complete', token: 'abc' }],
    ['/do_verify_email', '?token=abc&email=a%2Bb%40example.com', { screen: 'do_verify_email', token: 'abc', email: 'a+b@example.com' }],
    ['/should_verify_email', '?email=a%40example.com', { screen: 'should_verify_email', email: 'a@example.com' }],
    ['/acme/pl/p1xyz', '', { screen: 'permalink', team: 'acme', postId: 'p1xyz' }],
    ['/acme/pl', '', { screen: 'not_found', path: '/acme/pl' }],
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
    { screen: 'signup', token: '', inviteId: '', data: '' },
    { screen: 'signup', token: 't1', inviteId: '', data: '{"email":"c@example.com","name":"acme"}' },
    { screen: 'reset_password' },
    { screen: 'reset_password_complete', token: 'abc' },
    { screen: 'do_verify_email', token: 'abc', email: 'a@example.com' },
    { screen: 'should_verify_email', email: 'a+b@example.com' },
    { screen: 'permalink', team: 'acme', postId: 'p1' },
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
    expect(routePath({ screen: 'permalink', team: 'acme', postId: 'p1' })).toBe('/acme/pl/p1');
    expect(routePath({ screen: 'reset_password_complete', token: 'abc' })).toBe('/reset_password_complete?token=abc');
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
  it("lets signed-out people see only the sign-in, sign-up, mailed links', error and not-found screens", () => {
    const open = ['login', 'signup', 'reset_password', 'reset_password_complete', 'do_verify_email', 'should_verify_email', 'error', 'not_found'];
    expect(open.every((s) => isPublicScreen(s as Route['screen']))).toBe(true);
    expect(['root', 'channel', 'direct', 'team', 'create_team', 'admin_console', 'permalink'].some((s) => isPublicScreen(s as Route['screen']))).toBe(false);
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
    expect(sessionRedirect({ screen: 'signup', token: '', inviteId: '', data: '' }, 'signed-in', '/signup_user_complete')).toBe('/');
    expect(sessionRedirect({ screen: 'reset_password' }, 'signed-in', '/reset_password')).toBeUndefined();
  });

  it("keeps signed-in people on an invitation's link (they join its team) and sends signed-out ones from a permalink to log in first", () => {
    expect(sessionRedirect({ screen: 'signup', token: 't1', inviteId: '', data: '' }, 'signed-in', '/signup_user_complete/?t=t1')).toBeUndefined();
    expect(sessionRedirect({ screen: 'signup', token: '', inviteId: 'i1', data: '' }, 'signed-in', '/signup_user_complete/?id=i1')).toBeUndefined();
    expect(sessionRedirect({ screen: 'permalink', team: 'acme', postId: 'p1' }, 'signed-out', '/acme/pl/p1')).toBe('/login?redirect_to=%2Facme%2Fpl%2Fp1');
    expect(sessionRedirect({ screen: 'channel', team: 'acme', channel: 'x' }, 'signed-in', '/acme/channels/x')).toBeUndefined();
  });
});
