import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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
  const sessions = { create: async (userId: string, roles: string) => ({ id: 's', token: 't', user_id: userId, roles }) as Session };
  const service = new LoginService(
    users as unknown as UsersRepository,
    attempts as unknown as LoginAttemptsRepository,
    new LoginThrottle(configService),
    hasher,
    sessions as unknown as SessionsService,
    configService,
    { check: async () => undefined },
  );
  const login = (loginId: string, password: string, address = '192.0.2.1') =>
    service.login({ loginId, password, deviceId: '', address } satisfies LoginRequest);
  return { service, users, attempts, hasher, config, login };
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
