import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { Config, defaultConfig } from '#config';
import { hashPassword, PasswordHasher } from '#auth';
import { expectAppError } from '#testing';
import type { Session } from '../common/session.js';
import { ExternalIdentity } from '../sso/external-accounts.service.js';
import { externalAccountsFixture } from '../sso/external-accounts.fixtures.js';
import { MemoryLoginAttempts } from '../users/in-memory-login-attempts.js';
import type { MemoryUsers } from '../users/in-memory-users.js';
import type { LoginAttemptsRepository } from '../users/login-attempts.repository.js';
import { LoginThrottle } from '../users/login-throttle.js';
import { LoginService } from '../users/login.service.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import type { UsersRepository } from '../users/users.repository.js';
import type { LdapService } from '../ldap/ldap.service.js';
import { DirectoryLogin, DirectoryLogins, PasswordCheck } from '../users/directory-login.js';
import { SignInSwitchService, SwitchRequest } from './sign-in-switch.service.js';

const PASSWORD = 'R1ght-password';
const ADDRESS = '192.0.2.1';
const SITE = 'https://chat.example.com';
let hash: string;
beforeAll(async () => {
  hash = await hashPassword(PASSWORD);
});

/**
 * The directory (the LDAP area's LdapService and its login, ldap/ldap-login.ts; against a real
 * slapd in test/e2e/login-switch.e2e.spec.ts): one entry, `dana` with password `ldap-pass`, and
 * LDAP accounts whose password is `ldap-pass`.
 */
class FakeDirectory implements Pick<LdapService, 'verify'>, DirectoryLogin {
  binds = 0;
  down = false;
  async verify(ldapLoginId: string, password: string): Promise<ExternalIdentity> {
    this.binds++;
    if (this.down) throw new Error('directory unreachable');
    if (ldapLoginId !== 'dana') throw new AppError('', 'ent.ldap.do_login.user_not_registered.app_error', 'User not registered on AD/LDAP server.', 400);
    if (password !== 'ldap-pass') throw new AppError('', 'ent.ldap.do_login.invalid_password.app_error', 'Invalid Password.', 401);
    return { service: 'ldap', authData: 'uid-dana', email: 'dana@corp.example.com', firstName: 'Dana' };
  }
  handles(account: UserRow | undefined) {
    return account?.auth_service === 'ldap';
  }
  async check(_loginId: string, password: string, account: UserRow | undefined): Promise<PasswordCheck> {
    return { user: account, ok: password === 'ldap-pass' };
  }
}

function setup(opts: { settings?: (c: Config) => void } = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.ServiceSettings, { SiteURL: SITE, MaximumLoginAttempts: 3, LoginRateLimitPerSec: 0, LoginRateLimitPerAccountPerSec: 0 });
  config.GitLabSettings.Enable = true;
  config.SamlSettings.Enable = true;
  config.LdapSettings.Enable = true;
  opts.settings?.(config);
  const directory = new FakeDirectory();
  const directories = new DirectoryLogins();
  directories.use(directory);
  const fixture = externalAccountsFixture(config, {
    logins: ({ users, sessions, configService }) =>
      new LoginService(
        users as unknown as UsersRepository,
        new MemoryLoginAttempts() as unknown as LoginAttemptsRepository,
        new LoginThrottle(configService),
        new PasswordHasher(),
        sessions,
        configService,
        { check: async () => undefined }, // the MFA step has its own specs (login.service.spec.ts)
        directories,
      ),
  });
  const service = new SignInSwitchService(
    fixture.logins!,
    fixture.accounts,
    fixture.users as unknown as UsersRepository,
    fixture.usersService,
    fixture.sessions,
    fixture.invalidation,
    fixture.configService,
    directory as unknown as LdapService,
  );
  const admin = as(fixture.users.row([...fixture.users.rows.keys()][0]));
  return { ...fixture, service, admin, directory };
}

let n = 0;
const emailUser = (users: MemoryUsers, over: Partial<UserRow> = {}) => users.add(testUserRow(`mover${++n}`, { password: hash, ...over }));
const as = (user: UserRow) => ({ id: `s-${user.id}`, user_id: user.id, roles: user.roles, is_oauth: false, props: {} }) as unknown as Session;
const request = (over: Partial<SwitchRequest>): SwitchRequest => ({
  current_service: '',
  new_service: '',
  email: '',
  password: '',
  new_password: '',
  mfa_code: '',
  ldap_id: '',
  ...over,
});

describe('email → SAML / OAuth', () => {
  it("links into the provider's sign-in with a switch token that moves exactly this account to exactly that provider", async () => {
    const ctx = setup();
    const user = emailUser(ctx.users);
    const link = await ctx.service.switchAccount(
      request({ current_service: 'email', new_service: 'gitlab', email: user.email, password: PASSWORD }),
      undefined,
      ADDRESS,
    );
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe(`${SITE}/oauth/gitlab/login`);
    expect(url.searchParams.get('action')).toBe('email_to_sso');
    // The provider's half: its callback completes the switch with the token it carried.
    const token = url.searchParams.get('switch_token')!;
    await ctx.accounts.completeSwitch(token, { service: 'gitlab', authData: 'gl-7', email: user.email });
    expect(ctx.users.row(user.id)).toMatchObject({ auth_service: 'gitlab', auth_data: 'gl-7', password: '' });

    const other = emailUser(ctx.users);
    const saml = new URL(
      await ctx.service.switchAccount(request({ current_service: 'email', new_service: 'saml', email: other.email, password: PASSWORD }), undefined, ADDRESS),
    );
    expect(saml.origin + saml.pathname).toBe(`${SITE}/login/sso/saml`);
    const samlToken = saml.searchParams.get('switch_token')!;
    const asGitLab = await expectAppError(ctx.accounts.completeSwitch(samlToken, { service: 'gitlab', authData: 'gl-8', email: other.email }));
    expect(asGitLab.id).toBe('api.user.complete_switch_with_oauth.unavailable.app_error');
  });

  it('checks the password as a login does: masked, counted, locked', async () => {
    const ctx = setup();
    const user = emailUser(ctx.users);
    const wrong = request({ current_service: 'email', new_service: 'gitlab', email: user.email, password: 'wrong' });
    for (let i = 0; i < 3; i++) {
      expect((await expectAppError(ctx.service.switchAccount(wrong, undefined, ADDRESS))).id).toBe('api.user.login.invalid_credentials_sso');
    }
    expect(ctx.users.row(user.id).failed_attempts).toBe(3);
    const right = { ...wrong, password: PASSWORD };
    expect((await expectAppError(ctx.service.switchAccount(right, undefined, ADDRESS))).id).toBe('api.user.check_user_login_attempts.too_many.app_error');
    // An unknown email is a wrong password.
    const nobody = request({ current_service: 'email', new_service: 'gitlab', email: 'nobody@example.com', password: PASSWORD });
    expect((await expectAppError(ctx.service.switchAccount(nobody, undefined, '198.51.100.1'))).id).toBe('api.user.login.invalid_credentials_sso');
  });

  it('refuses a provider that is off before looking at the password, and requests it does not know', async () => {
    const ctx = setup();
    const user = emailUser(ctx.users);
    const google = await expectAppError(
      ctx.service.switchAccount(request({ current_service: 'email', new_service: 'google', email: user.email, password: 'wrong' }), undefined, ADDRESS),
    );
    expect([google.statusCode, google.id]).toEqual([501, 'api.user.get_authorization_code.unsupported.app_error']);
    ctx.config.SamlSettings.Enable = false;
    const saml = await expectAppError(
      ctx.service.switchAccount(request({ current_service: 'email', new_service: 'saml', email: user.email, password: PASSWORD }), undefined, ADDRESS),
    );
    expect([saml.statusCode, saml.id]).toEqual([501, 'api.user.saml.not_available.app_error']);
    expect(ctx.users.row(user.id).failed_attempts).toBe(0);
    for (const odd of [request({}), request({ current_service: 'gitlab', new_service: 'saml' }), request({ current_service: 'email', new_service: 'email' })]) {
      expect((await expectAppError(ctx.service.switchAccount(odd, undefined, ADDRESS))).id).toBe('api.context.invalid_body_param.app_error');
    }
  });
});

describe('SAML / OAuth → email', () => {
  async function gitlabUser(ctx: ReturnType<typeof setup>) {
    const user = ctx.users.add(testUserRow(`gl${++n}`, { auth_service: 'gitlab', auth_data: `gl-${n}` }));
    const session = await ctx.sessions.create(user.id, user.roles);
    return { user, session };
  }

  it('sets the password the signed-in owner chose, moves the account to email and ends its sessions', async () => {
    const ctx = setup();
    const { user, session } = await gitlabUser(ctx);
    const link = await ctx.service.switchAccount(
      request({ current_service: 'gitlab', new_service: 'email', email: user.email, new_password: 'N3w-passw0rd!' }),
      session,
      ADDRESS,
    );
    expect(link).toBe('/login?extra=signin_change');
    expect(ctx.users.row(user.id)).toMatchObject({ auth_service: '', auth_data: null });
    expect(ctx.sessionRows.rows.size).toBe(0);
    expect(ctx.publisher.events.some((e) => e.event === 'user_updated')).toBe(true);
  });

  it('needs a session, of the account named, of the provider named, and a password the rules accept', async () => {
    const ctx = setup();
    const { user, session } = await gitlabUser(ctx);
    const req = request({ current_service: 'gitlab', new_service: 'email', email: user.email, new_password: 'N3w-passw0rd!' });
    expect((await expectAppError(ctx.service.switchAccount(req, undefined, ADDRESS))).statusCode).toBe(401);
    const { session: otherSession } = await gitlabUser(ctx);
    expect((await expectAppError(ctx.service.switchAccount(req, otherSession, ADDRESS))).id).toBe('api.user.oauth_to_email.context.app_error');
    expect((await expectAppError(ctx.service.switchAccount({ ...req, current_service: 'saml' }, session, ADDRESS))).statusCode).toBe(403);
    expect((await expectAppError(ctx.service.switchAccount({ ...req, email: 'nobody@example.com' }, session, ADDRESS))).statusCode).toBe(403);
    expect((await expectAppError(ctx.service.switchAccount({ ...req, new_password: 'short' }, session, ADDRESS))).statusCode).toBe(400);
    // An email account cannot set a new password this way without its current one.
    const local = emailUser(ctx.users);
    const localSession = await ctx.sessions.create(local.id, local.roles);
    expect((await expectAppError(ctx.service.switchAccount({ ...req, email: local.email }, localSession, ADDRESS))).statusCode).toBe(403);
    expect(ctx.users.row(local.id).password).toBe(hash);
    expect(ctx.users.row(user.id).auth_service).toBe('gitlab');
  });

  it('is closed while email sign-up, or every email sign-in, is off', async () => {
    const ctx = setup({ settings: (c) => (c.EmailSettings.EnableSignUpWithEmail = false) });
    const { user, session } = await gitlabUser(ctx);
    const req = request({ current_service: 'gitlab', new_service: 'email', email: user.email, new_password: 'N3w-passw0rd!' });
    expect((await expectAppError(ctx.service.switchAccount(req, session, ADDRESS))).id).toBe(
      'api.user.auth_switch.not_available.email_signup_disabled.app_error',
    );
    ctx.config.EmailSettings.EnableSignUpWithEmail = true;
    Object.assign(ctx.config.EmailSettings, { EnableSignInWithEmail: false, EnableSignInWithUsername: false });
    expect((await expectAppError(ctx.service.switchAccount(req, session, ADDRESS))).id).toBe('api.user.auth_switch.not_available.login_disabled.app_error');
  });
});

describe('email ↔ AD/LDAP', () => {
  it('answers 501 while AD/LDAP is off', async () => {
    const ctx = setup({ settings: (c) => (c.LdapSettings.Enable = false) });
    const user = emailUser(ctx.users);
    const toLdap = request({
      current_service: 'email',
      new_service: 'ldap',
      email: user.email,
      password: PASSWORD,
      ldap_id: 'dana',
      new_password: 'ldap-pass',
    });
    expect((await expectAppError(ctx.service.switchAccount(toLdap, undefined, ADDRESS))).id).toBe('api.user.email_to_ldap.not_available.app_error');
    const toEmail = request({ current_service: 'ldap', new_service: 'email', email: user.email, password: 'ldap-pass', new_password: 'N3w-passw0rd!' });
    expect((await expectAppError(ctx.service.switchAccount(toEmail, undefined, ADDRESS))).id).toBe('api.user.ldap_to_email.not_available.app_error');
    expect(ctx.directory.binds).toBe(0);
  });

  it('moves an email account to the directory entry its LDAP login opens, after the email password', async () => {
    const ctx = setup();
    const user = emailUser(ctx.users);
    await ctx.sessions.create(user.id, user.roles);
    const req = request({ current_service: 'email', new_service: 'ldap', email: user.email, password: PASSWORD, ldap_id: 'dana', new_password: 'ldap-pass' });
    expect((await expectAppError(ctx.service.switchAccount({ ...req, password: 'wrong' }, undefined, ADDRESS))).statusCode).toBe(401);
    expect((await expectAppError(ctx.service.switchAccount({ ...req, new_password: 'wrong' }, undefined, ADDRESS))).id).toBe(
      'ent.ldap.do_login.invalid_password.app_error',
    );
    expect(await ctx.service.switchAccount(req, undefined, ADDRESS)).toBe('/login?extra=signin_change');
    expect(ctx.users.row(user.id)).toMatchObject({ auth_service: 'ldap', auth_data: 'uid-dana', password: '', first_name: 'Dana' });
    expect(ctx.sessionRows.rows.size).toBe(0);
  });

  it('counts wrong LDAP passwords as logins of that LDAP id; an unreachable directory takes the try back', async () => {
    const ctx = setup();
    const req = (user: UserRow, ldapPassword: string) =>
      request({ current_service: 'email', new_service: 'ldap', email: user.email, password: PASSWORD, ldap_id: 'dana', new_password: ldapPassword });
    const user = emailUser(ctx.users);
    ctx.directory.down = true;
    for (let i = 0; i < 5; i++) await expect(ctx.service.switchAccount(req(user, 'ldap-pass'), undefined, ADDRESS)).rejects.toThrow('directory unreachable');
    ctx.directory.down = false;
    for (let i = 0; i < 3; i++) {
      expect((await expectAppError(ctx.service.switchAccount(req(user, 'wrong'), undefined, ADDRESS))).id).toBe('ent.ldap.do_login.invalid_password.app_error');
    }
    expect((await expectAppError(ctx.service.switchAccount(req(user, 'ldap-pass'), undefined, ADDRESS))).id).toBe(
      'api.user.check_user_login_attempts.too_many.app_error',
    );
    expect(ctx.directory.binds).toBe(5 + 3);
    expect(ctx.users.row(user.id).auth_service).toBe('');
  });

  it("moves an LDAP account to email after the login's check of its LDAP password; refuses other accounts", async () => {
    const ctx = setup();
    const ldapUser = ctx.users.add(testUserRow(`ld${++n}`, { auth_service: 'ldap', auth_data: 'uid-x' }));
    const req = request({ current_service: 'ldap', new_service: 'email', email: ldapUser.email, password: 'ldap-pass', new_password: 'N3w-passw0rd!' });
    expect((await expectAppError(ctx.service.switchAccount({ ...req, password: PASSWORD }, undefined, ADDRESS))).id).toBe(
      'api.user.login.invalid_credentials_sso',
    );
    expect(await ctx.service.switchAccount(req, undefined, ADDRESS)).toBe('/login?extra=signin_change');
    expect(ctx.users.row(ldapUser.id)).toMatchObject({ auth_service: '', auth_data: null });
    const local = emailUser(ctx.users);
    const notLdap = await expectAppError(ctx.service.switchAccount({ ...req, email: local.email, password: PASSWORD }, undefined, ADDRESS));
    expect([notLdap.statusCode, notLdap.id]).toEqual([400, 'api.user.ldap_to_email.not_ldap_account.app_error']);
  });
});

describe('updateAuth: PUT /users/{id}/auth', () => {
  it("sets an account's provider for a system admin, clearing its password", async () => {
    const ctx = setup();
    const user = emailUser(ctx.users);
    expect(await ctx.service.updateAuth(ctx.admin, user.id, { auth_service: 'saml', auth_data: 'saml-subject' })).toEqual({
      auth_service: 'saml',
      auth_data: 'saml-subject',
    });
    expect(ctx.users.row(user.id)).toMatchObject({ auth_service: 'saml', auth_data: 'saml-subject', password: '' });
    // Back to email with a password ('email' names the email method too).
    expect(await ctx.service.updateAuth(ctx.admin, user.id, { auth_service: 'email', password: 'Back-t0-email!' })).toEqual({ auth_service: '' });
    expect(ctx.users.row(user.id)).toMatchObject({ auth_service: '', auth_data: null });
    expect(ctx.users.row(user.id).password).not.toBe('');
  });

  it('refuses non-admins, a subject another account has, unknown services, half requests and weak passwords', async () => {
    const ctx = setup();
    const user = emailUser(ctx.users);
    const holder = ctx.users.add(testUserRow(`holder${++n}`, { auth_service: 'gitlab', auth_data: 'taken' }));
    expect((await expectAppError(ctx.service.updateAuth(as(user), user.id, { auth_service: 'gitlab', auth_data: 'mine' }))).statusCode).toBe(403);
    expect((await expectAppError(ctx.service.updateAuth(ctx.admin, user.id, { auth_service: 'gitlab', auth_data: 'taken' }))).id).toBe(
      'app.user.update_auth_data.email_exists.app_error',
    );
    // Setting an account's own pair again is no clash.
    expect(await ctx.service.updateAuth(ctx.admin, holder.id, { auth_service: 'gitlab', auth_data: 'taken' })).toEqual({
      auth_service: 'gitlab',
      auth_data: 'taken',
    });
    expect((await expectAppError(ctx.service.updateAuth(ctx.admin, user.id, { auth_service: 'myspace', auth_data: 'x' }))).id).toBe(
      'api.context.invalid_body_param.app_error',
    );
    for (const half of [{ auth_service: 'gitlab' }, { auth_data: 'x' }, {}]) {
      expect((await expectAppError(ctx.service.updateAuth(ctx.admin, user.id, half))).id).toBe('api.user.update_user_auth.invalid_request');
    }
    expect((await expectAppError(ctx.service.updateAuth(ctx.admin, user.id, { auth_service: 'gitlab', auth_data: 'x'.repeat(129) }))).statusCode).toBe(400);
    expect((await expectAppError(ctx.service.updateAuth(ctx.admin, user.id, { password: 'x' }))).statusCode).toBe(400);
    expect((await expectAppError(ctx.service.updateAuth(ctx.admin, 'x'.repeat(26), { auth_service: 'gitlab', auth_data: 'y' }))).statusCode).toBe(404);
    expect(ctx.users.row(user.id).password).toBe(hash);
  });
});
