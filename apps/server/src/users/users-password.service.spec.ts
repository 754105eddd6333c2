import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, PasswordHasher } from '#auth';
import { Config, ConfigService, defaultConfig } from '#config';
import { Hub, LocalInvalidationBus } from '#realtime';
import { RecordingPublisher } from '#testing';
import { MemorySessions } from '../auth/in-memory-sessions.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { defaultRoles } from '../roles/in-memory-roles.js';
import type { SessionsRepository } from '../auth/sessions.repository.js';
import { SessionsService } from '../auth/sessions.service.js';
import type { Session } from '../common/session.js';
import type { TeamsService } from '../teams/teams.service.js';
import type { UserRow } from './user.model.js';
import type { UsersRepository } from './users.repository.js';
import { MemoryLoginAttempts } from './in-memory-login-attempts.js';
import type { LoginAttemptsRepository } from './login-attempts.repository.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginService } from './login.service.js';
import { UsersService } from './users.service.js';

const PASSWORD = 'Passw0rd!x';
const NEW_PASSWORD = 'N3wPassword!';
const ADDRESS = '192.0.2.1';
let passwordHash: string;
beforeAll(async () => {
  passwordHash = await hashPassword(PASSWORD);
});

/** The users table as the password change uses it. */
class MemoryUsers {
  readonly rows = new Map<string, UserRow>();
  async byId(id: string) {
    const u = this.rows.get(id);
    return u ? structuredClone(u) : undefined;
  }
  async setPassword(id: string, hash: string, now: number) {
    Object.assign(this.rows.get(id)!, { password: hash, last_password_update: now, failed_attempts: 0 });
  }
  async incrementFailedAttempts(id: string) {
    this.rows.get(id)!.failed_attempts++;
  }
  async resetFailedAttempts(id: string) {
    this.rows.get(id)!.failed_attempts = 0;
  }
}

function setup(service: Partial<Config['ServiceSettings']> = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.ServiceSettings, service);
  const configService = { get: () => config } as unknown as ConfigService;
  const users = new MemoryUsers();
  const sessionRows = new MemorySessions();
  const bus = new LocalInvalidationBus();
  const hub = { closeSessions: () => undefined, refreshSessions: async () => undefined } as unknown as Hub;
  const permissions = new PermissionsService(undefined as never, undefined as never, defaultRoles());
  const sessions = new SessionsService(sessionRows as unknown as SessionsRepository, configService, bus, hub, permissions);
  const usersService = new UsersService(
    users as unknown as UsersRepository,
    configService,
    sessions,
    permissions,
    undefined as unknown as TeamsService, // no sign-up here
    new RecordingPublisher(),
    bus,
    new LoginService(
      users as unknown as UsersRepository,
      new MemoryLoginAttempts() as unknown as LoginAttemptsRepository,
      new LoginThrottle(configService),
      new PasswordHasher(),
      sessions,
      configService,
      { check: async () => undefined },
    ),
    undefined as never, // team invitations: no sign-up with an invitation here
    undefined as never, // verification links: no RequireEmailVerification here
  );
  const alice = 'a'.repeat(26);
  users.rows.set(alice, { id: alice, username: 'alice', password: passwordHash, roles: 'system_user', failed_attempts: 0, delete_at: 0 } as UserRow);
  return { service: usersService, sessions, sessionRows, users, alice };
}

describe('UsersService.changePassword: sessions', () => {
  it("ends the user's other sessions and keeps the caller's own", async () => {
    const { service, sessions, alice } = setup();
    const mine = await sessions.create(alice, 'system_user');
    const laptop = await sessions.create(alice, 'system_user');
    await service.changePassword(mine, alice, PASSWORD, NEW_PASSWORD, ADDRESS);
    await expect(sessions.authenticate(laptop.token)).rejects.toMatchObject({ statusCode: 401 });
    await expect(sessions.authenticate(mine.token)).resolves.toMatchObject({ id: mine.id });
  });

  it('ends every session of the user when a system admin changes it', async () => {
    const { service, sessions, alice } = setup();
    const laptop = await sessions.create(alice, 'system_user');
    const admin = await sessions.create('r'.repeat(26), 'system_user system_admin');
    await service.changePassword(admin, alice, undefined, NEW_PASSWORD, ADDRESS);
    await expect(sessions.authenticate(laptop.token)).rejects.toMatchObject({ statusCode: 401 });
    await expect(sessions.authenticate(admin.token)).resolves.toMatchObject({ id: admin.id });
  });

  it('keeps them with TerminateSessionsOnPasswordChange off', async () => {
    const { service, sessions, alice } = setup({ TerminateSessionsOnPasswordChange: false });
    const mine = await sessions.create(alice, 'system_user');
    const laptop = await sessions.create(alice, 'system_user');
    await service.changePassword(mine, alice, PASSWORD, NEW_PASSWORD, ADDRESS);
    await expect(sessions.authenticate(laptop.token)).resolves.toMatchObject({ id: laptop.id });
  });
});

describe('UsersService.changePassword: the current password', () => {
  const self = (userId: string) => ({ id: 's'.repeat(26), user_id: userId, roles: 'system_user' }) as Session;

  it('counts a wrong current password toward MaximumLoginAttempts, then refuses even the right one', async () => {
    const { service, users, alice } = setup({ MaximumLoginAttempts: 3 });
    for (let i = 1; i <= 3; i++) {
      await expect(service.changePassword(self(alice), alice, 'wrong', NEW_PASSWORD, ADDRESS)).rejects.toMatchObject({
        statusCode: 400,
        id: 'api.user.update_password.incorrect.app_error',
      });
      expect(users.rows.get(alice)!.failed_attempts).toBe(i);
    }
    await expect(service.changePassword(self(alice), alice, PASSWORD, NEW_PASSWORD, ADDRESS)).rejects.toMatchObject({
      statusCode: 401,
      id: 'api.user.check_user_login_attempts.too_many.app_error',
    });
    expect(users.rows.get(alice)!.password).toBe(passwordHash);
  });

  it('clears the count on the right current password', async () => {
    const { service, users, alice } = setup({ MaximumLoginAttempts: 3 });
    await expect(service.changePassword(self(alice), alice, 'wrong', NEW_PASSWORD, ADDRESS)).rejects.toMatchObject({ statusCode: 400 });
    // Right current password, refused new one: the count is cleared all the same (as Mattermost).
    await expect(service.changePassword(self(alice), alice, PASSWORD, 'x', ADDRESS)).rejects.toMatchObject({ statusCode: 400 });
    expect(users.rows.get(alice)!.failed_attempts).toBe(0);
  });

  it('answers a missing current password as a bad parameter, without counting it', async () => {
    const { service, users, alice } = setup();
    await expect(service.changePassword(self(alice), alice, '', NEW_PASSWORD, ADDRESS)).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.context.invalid_body_param.app_error',
    });
    expect(users.rows.get(alice)!.failed_attempts).toBe(0);
  });
});
