import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '#common';
import { ConfigService, defaultConfig } from '#config';
import { hashPassword, PasswordHasher } from '#auth';
import type { SessionsService } from '../auth/sessions.service.js';
import { RateLimitExceeded } from '../common/rate-limit.js';
import type { Session } from '../common/session.js';
import type { LoginAttemptsRepository } from './login-attempts.repository.js';
import { DirectoryLogin, DirectoryLogins, PasswordCheck } from './directory-login.js';
import { MemoryLoginAttempts } from './in-memory-login-attempts.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginRequest, LoginService } from './login.service.js';
import type { UserRow } from './user.model.js';
import type { UsersRepository } from './users.repository.js';
import type { SecondFactor } from './second-factor.js';

/** The users table, as far as login reads and writes it. */
class MemoryUsers {
  rows: UserRow[] = [];
  async byLogin(loginId: string) {
    const id = loginId.toLowerCase();
    return this.rows.find((u) => u.username === id || u.email === id);
  }
  async incrementFailedAttempts(id: string) {
    const u = this.rows.find((r) => r.id === id);
    if (u) u.failed_attempts++;
  }
  async resetFailedAttempts(id: string) {
    const u = this.rows.find((r) => r.id === id);
    if (u) u.failed_attempts = 0;
  }
}

/** A second factor of accounts with mfa_active: the code '123456' only; what it was asked, recorded. */
class CodeChecker implements SecondFactor {
  readonly asked: string[] = [];
  async check(user: UserRow, code: string) {
    this.asked.push(code);
    if (!user.mfa_active) return;
    if (!code) throw new AppError('', 'mfa.validate_token.authenticate.app_error', 'Enter the code.', 401);
    if (code !== '123456') throw new AppError('', 'api.user.check_user_mfa.bad_code.app_error', 'Invalid MFA token.', 401);
  }
}

let hash: string;
beforeAll(async () => {
  hash = await hashPassword('R1ght-password');
});
afterEach(() => vi.useRealTimers());

let n = 0;
function addUser(users: MemoryUsers, over: Partial<UserRow> = {}): UserRow {
  const id = `user${++n}`.padEnd(26, 'x');
  const user = {
    id,
    username: `user${n}`,
    email: `user${n}@example.com`,
    password: hash,
    roles: 'system_user',
    delete_at: 0,
    is_bot: false,
    failed_attempts: 0,
    ...over,
  };
  users.rows.push(user as UserRow);
  return user as UserRow;
}

function setup(settings: Partial<(typeof defaultConfig)['ServiceSettings']> = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.ServiceSettings, { MaximumLoginAttempts: 3, LoginRateLimitPerSec: 0, LoginRateLimitPerAccountPerSec: 0, ...settings });
  const configService = { get: () => config } as unknown as ConfigService;
  const users = new MemoryUsers();
  const attempts = new MemoryLoginAttempts();
  const hasher = new PasswordHasher();
  const secondFactor = new CodeChecker();
  const sessions = { create: async (userId: string, roles: string) => ({ id: 's', token: 't', user_id: userId, roles }) as Session };
  const service = new LoginService(
    users as unknown as UsersRepository,
    attempts as unknown as LoginAttemptsRepository,
    new LoginThrottle(configService),
    hasher,
    sessions as unknown as SessionsService,
    configService,
    secondFactor,
  );
  const login = (loginId: string, password: string, address = '192.0.2.1', token = '') =>
    service.login({ loginId, password, token, deviceId: '', address } satisfies LoginRequest);
  return { service, users, attempts, hasher, config, login, secondFactor };
}

const INVALID = 'api.user.login.invalid_credentials_email_username';
const LOCKED = 'api.user.check_user_login_attempts.too_many.app_error';

describe('LoginService: what an anonymous caller can learn', () => {
  it('answers an unknown login id as a wrong password, after the same bcrypt', async () => {
    const { users, hasher, login } = setup();
    const alice = addUser(users);
    await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ statusCode: 401, id: INVALID });
    expect(hasher.compares).toBe(1);
    await expect(login('nobody', 'wrong')).rejects.toMatchObject({ statusCode: 401, id: INVALID });
    expect(hasher.compares).toBe(2);
  });

  it('says "deactivated" only to the right password', async () => {
    const { users, login } = setup();
    const gone = addUser(users, { delete_at: 1 });
    await expect(login(gone.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    await expect(login(gone.username, 'R1ght-password')).rejects.toMatchObject({ statusCode: 401, id: 'api.user.login.inactive.app_error' });
  });

  it('locks an unknown login id exactly as an existing one', async () => {
    const { users, login } = setup();
    const alice = addUser(users);
    for (const id of [alice.username, 'nobody']) {
      for (let i = 0; i < 3; i++) await expect(login(id, 'wrong')).rejects.toMatchObject({ id: INVALID });
      await expect(login(id, 'wrong')).rejects.toMatchObject({ statusCode: 401, id: LOCKED });
    }
  });

  it("picks Mattermost's masked id by the sign-in methods in force", async () => {
    const { users, config, login } = setup();
    const alice = addUser(users);
    config.EmailSettings.EnableSignInWithEmail = false;
    await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ id: 'api.user.login.invalid_credentials_username' });
    // Sign-in by email is off: the right password for the email is an unknown id.
    await expect(login(alice.email, 'R1ght-password')).rejects.toMatchObject({ id: 'api.user.login.invalid_credentials_username' });
  });
});

describe('LoginService: lockout per login id and address', () => {
  it('locks the attacking address only; the owner logs in from another and the count resets', async () => {
    const { users, login } = setup();
    const alice = addUser(users);
    for (let i = 0; i < 3; i++) await expect(login(alice.username, 'wrong', '198.51.100.9')).rejects.toMatchObject({ id: INVALID });
    expect(alice.failed_attempts).toBe(3);
    await expect(login(alice.username, 'R1ght-password', '198.51.100.9')).rejects.toMatchObject({ id: LOCKED });
    const { user } = await login(alice.username, 'R1ght-password', '192.0.2.1');
    expect(user.id).toBe(alice.id);
    expect(alice.failed_attempts).toBe(0);
  });

  it('counts an IPv6 client by its /64', async () => {
    const { users, login } = setup();
    const alice = addUser(users);
    for (let i = 0; i < 3; i++) await expect(login(alice.username, 'wrong', `2001:db8:1:2::${i + 1}`)).rejects.toMatchObject({ id: INVALID });
    await expect(login(alice.username, 'R1ght-password', '2001:db8:1:2:ffff::9')).rejects.toMatchObject({ id: LOCKED });
    await login(alice.username, 'R1ght-password', '2001:db8:1:3::1');
  });

  it('lifts the lock LoginLockoutDurationSeconds after it was reached, however often the address retries', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { users, login } = setup({ LoginLockoutDurationSeconds: 60 });
    const alice = addUser(users);
    for (let i = 0; i < 3; i++) await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    vi.advanceTimersByTime(59_000);
    await expect(login(alice.username, 'R1ght-password')).rejects.toMatchObject({ id: LOCKED });
    vi.advanceTimersByTime(1_000);
    await login(alice.username, 'R1ght-password');
  });
});

describe('LoginService: rate limits', () => {
  it('limits tries per address before any work, whatever RateLimitSettings.Enable says', async () => {
    const { users, hasher, config, login } = setup({ LoginRateLimitPerSec: 0.01, LoginRateLimitMaxBurst: 1 });
    expect(config.RateLimitSettings.Enable).toBe(false);
    const alice = addUser(users);
    await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    await expect(login(alice.username, 'R1ght-password')).rejects.toBeInstanceOf(RateLimitExceeded);
    expect(hasher.compares).toBe(2);
    await login(alice.username, 'R1ght-password', '203.0.113.5');
  });

  it('limits tries per account, but a locked-out address cannot use up the owner’s', async () => {
    const { users, attempts, login } = setup({ LoginRateLimitPerAccountPerSec: 0.001, LoginRateLimitPerAccountMaxBurst: 3 });
    const alice = addUser(users);
    for (let i = 0; i < 3; i++) await expect(login(alice.username, 'wrong', '198.51.100.9')).rejects.toMatchObject({ id: INVALID });
    for (let i = 0; i < 20; i++) await expect(login(alice.username, 'wrong', '198.51.100.9')).rejects.toMatchObject({ id: LOCKED });
    await login(alice.username, 'R1ght-password', '192.0.2.1'); // the 4th and last token
    // Past the account's limit a try answers 429 and is not counted against its address.
    await expect(login(alice.username, 'R1ght-password', '192.0.2.1')).rejects.toBeInstanceOf(RateLimitExceeded);
    expect(attempts.rows.get(`${alice.username}|192.0.2.1`)?.attempts ?? 0).toBe(0);
  });
});

describe('LoginService: the MFA code after the password', () => {
  const MISSING = 'mfa.validate_token.authenticate.app_error';
  const BAD = 'api.user.check_user_mfa.bad_code.app_error';

  it('asks for it only after the right password, and signs in with a valid one', async () => {
    const { users, login, secondFactor } = setup();
    const alice = addUser(users, { mfa_active: true });
    await expect(login(alice.username, 'wrong', undefined, '123456')).rejects.toMatchObject({ id: INVALID });
    expect(secondFactor.asked).toEqual([]);
    await expect(login(alice.username, 'R1ght-password')).rejects.toMatchObject({ statusCode: 401, id: MISSING });
    expect((await login(alice.username, 'R1ght-password', undefined, '123456')).user.id).toBe(alice.id);
  });

  it('counts a wrong code as a wrong password: the address is locked and failed_attempts grows', async () => {
    const { users, login } = setup();
    const alice = addUser(users, { mfa_active: true });
    for (let i = 0; i < 3; i++) await expect(login(alice.username, 'R1ght-password', undefined, '000000')).rejects.toMatchObject({ id: BAD });
    expect(alice.failed_attempts).toBe(3);
    await expect(login(alice.username, 'R1ght-password', undefined, '123456')).rejects.toMatchObject({ id: LOCKED });
    // Another address still gets in, and the count is cleared.
    await login(alice.username, 'R1ght-password', '203.0.113.8', '123456');
    expect(alice.failed_attempts).toBe(0);
  });

  it('does not count a login without a code (the client asking whether one is needed), nor clear the count', async () => {
    const { users, login } = setup();
    const alice = addUser(users, { mfa_active: true });
    await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    for (let i = 0; i < 10; i++) await expect(login(alice.username, 'R1ght-password')).rejects.toMatchObject({ id: MISSING });
    expect(alice.failed_attempts).toBe(1);
    await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    await expect(login(alice.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    await expect(login(alice.username, 'R1ght-password', undefined, '123456')).rejects.toMatchObject({ id: LOCKED });
  });
});

describe('LoginService.authenticate', () => {
  it('authenticate() names the account by email alone when asked, whatever EnableSignInWithEmail says', async () => {
    const { users, config, service } = setup();
    const alice = addUser(users);
    config.EmailSettings.EnableSignInWithEmail = false;
    Object.assign(users, { byEmail: async (email: string) => users.rows.find((u) => u.email === email) });
    const req = { loginId: alice.email, password: 'R1ght-password', address: '192.0.2.1' };
    expect((await service.authenticate(req, { byEmail: true })).id).toBe(alice.id);
    await expect(service.authenticate(req)).rejects.toMatchObject({ id: 'api.user.login.invalid_credentials_username' });
    await expect(service.authenticate({ ...req, loginId: alice.username }, { byEmail: true })).rejects.toMatchObject({ statusCode: 401 });
  });
});

/**
 * A directory (the LDAP area's login, ldap/ldap-login.ts) as LoginService sees it: entries with
 * passwords; `down` makes it unreachable. It claims ldap accounts, unknown ids and ldap_only.
 */
class FakeDirectory implements DirectoryLogin {
  entries = new Map<string, { password: string; account?: UserRow }>();
  asked = 0;
  down = false;
  handles(account: UserRow | undefined, ldapOnly: boolean) {
    return ldapOnly || !account || account.auth_service === 'ldap';
  }
  async check(loginId: string, password: string): Promise<PasswordCheck | undefined> {
    this.asked++;
    if (this.down) throw new Error('directory unreachable');
    const entry = this.entries.get(loginId);
    if (!entry) return undefined;
    return { user: entry.account, ok: password === entry.password };
  }
}

function setupWithDirectory() {
  const base = setup();
  const directory = new FakeDirectory();
  const registry = new DirectoryLogins();
  registry.use(directory);
  const configService = { get: () => base.config } as unknown as ConfigService;
  const service = new LoginService(
    base.users as unknown as UsersRepository,
    base.attempts as unknown as LoginAttemptsRepository,
    new LoginThrottle(configService),
    base.hasher,
    { create: async (userId: string, roles: string) => ({ id: 's', token: 't', user_id: userId, roles }) as Session } as unknown as SessionsService,
    configService,
    base.secondFactor,
    registry,
  );
  const login = (loginId: string, password: string, opts: { ldapOnly?: boolean; address?: string; token?: string } = {}) =>
    service.login({ loginId, password, token: opts.token, deviceId: '', address: opts.address ?? '192.0.2.1', ldapOnly: opts.ldapOnly });
  return { ...base, directory, login };
}

describe('LoginService: logins a directory checks (LDAP)', () => {
  it('counts and locks wrong directory passwords exactly as local ones, per login id and address', async () => {
    const { users, directory, login } = setupWithDirectory();
    const dora = addUser(users, { auth_service: 'ldap', auth_data: 'd1', password: '' });
    directory.entries.set(dora.username, { password: 'dir-pass', account: dora });
    for (let i = 0; i < 3; i++) await expect(login(dora.username, 'wrong', { address: '198.51.100.9' })).rejects.toMatchObject({ id: INVALID });
    expect(dora.failed_attempts).toBe(3);
    await expect(login(dora.username, 'dir-pass', { address: '198.51.100.9' })).rejects.toMatchObject({ id: LOCKED });
    expect(directory.asked).toBe(3);
    const { user } = await login(dora.username, 'dir-pass', { address: '192.0.2.7' });
    expect(user.id).toBe(dora.id);
    expect(dora.failed_attempts).toBe(0);
  });

  it('answers an id the directory does not know after the same bcrypt as an unknown one, and locks it alike', async () => {
    const { hasher, directory, login } = setupWithDirectory();
    await expect(login('nobody', 'x')).rejects.toMatchObject({ id: INVALID });
    expect([directory.asked, hasher.compares]).toEqual([1, 1]);
    for (let i = 0; i < 2; i++) await expect(login('nobody', 'x')).rejects.toMatchObject({ id: INVALID });
    await expect(login('nobody', 'x')).rejects.toMatchObject({ id: LOCKED });
  });

  it('takes back the try when the directory cannot be asked (no guess was made)', async () => {
    const { users, attempts, directory, login } = setupWithDirectory();
    const dora = addUser(users, { auth_service: 'ldap', auth_data: 'd1', password: '' });
    directory.down = true;
    for (let i = 0; i < 5; i++) await expect(login(dora.username, 'x')).rejects.toThrow('directory unreachable');
    expect(attempts.rows.get(`${dora.username}|192.0.2.1`)?.attempts ?? 0).toBe(0);
    expect(dora.failed_attempts).toBe(0);
  });

  it('with ldap_only, never takes the local password of an email account of the same name', async () => {
    const { users, directory, login } = setupWithDirectory();
    const alice = addUser(users);
    await expect(login(alice.username, 'R1ght-password', { ldapOnly: true })).rejects.toMatchObject({ id: INVALID });
    expect(directory.asked).toBe(1);
    const { user } = await login(alice.username, 'R1ght-password');
    expect(user.id).toBe(alice.id);
  });

  it('asks an LDAP account with MFA for its code after the directory took the password, and counts wrong codes', async () => {
    const { users, directory, login } = setupWithDirectory();
    const dora = addUser(users, { auth_service: 'ldap', auth_data: 'd1', password: '', mfa_active: true });
    directory.entries.set(dora.username, { password: 'dir-pass', account: dora });
    await expect(login(dora.username, 'dir-pass')).rejects.toMatchObject({ id: 'mfa.validate_token.authenticate.app_error' });
    await expect(login(dora.username, 'dir-pass', { token: '000000' })).rejects.toMatchObject({ id: 'api.user.check_user_mfa.bad_code.app_error' });
    expect(dora.failed_attempts).toBe(1);
    expect((await login(dora.username, 'dir-pass', { token: '123456' })).user.id).toBe(dora.id);
  });

  it('refuses a local password for an account of a sign-in service, even one an admin set, with or without a directory', async () => {
    for (const make of [setup, setupWithDirectory]) {
      const { users, login } = make();
      const sam = addUser(users, { auth_service: 'saml', auth_data: 's1' });
      const dora = addUser(users, { auth_service: 'ldap', auth_data: 'd1' });
      await expect(login(sam.username, 'R1ght-password')).rejects.toMatchObject({ id: INVALID });
      await expect(login(dora.username, 'R1ght-password')).rejects.toMatchObject({ id: INVALID });
    }
  });
});
