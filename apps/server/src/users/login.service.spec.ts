import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '#common';
import { ConfigService, defaultConfig } from '#config';
import { hashPassword, PasswordHasher } from '#auth';
import type { SessionsService } from '../auth/sessions.service.js';
import { RateLimitExceeded } from '../common/rate-limit.js';
import type { Session } from '../common/session.js';
import type { LoginAttemptsRepository } from './login-attempts.repository.js';
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

describe('LoginService: accounts of a sign-in provider', () => {
  it('never signs them in with a password: masked like any wrong password, use_auth_service after a right one', async () => {
    const { users, login } = setup();
    const noPassword = addUser(users, { auth_service: 'gitlab', auth_data: 'gl-1', password: '' });
    await expect(login(noPassword.username, '')).rejects.toMatchObject({ id: INVALID });
    const leftOver = addUser(users, { auth_service: 'saml', auth_data: 'saml-1' });
    await expect(login(leftOver.username, 'wrong')).rejects.toMatchObject({ id: INVALID });
    await expect(login(leftOver.username, 'R1ght-password')).rejects.toMatchObject({ statusCode: 400, id: 'api.user.login.use_auth_service.app_error' });
  });

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
