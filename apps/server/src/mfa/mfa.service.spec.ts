import { describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { ConfigService, defaultConfig } from '#config';
import { LocalInvalidationBus } from '#realtime';
import { expectAppError } from '#testing';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { defaultRoles } from '../roles/in-memory-roles.js';
import { MemorySsoFlows } from '../sso/in-memory-sso-flows.js';
import type { SsoFlowsRepository } from '../sso/sso-flows.repository.js';
import { MemoryUsers } from '../users/in-memory-users.js';
import { LoginThrottle } from '../users/login-throttle.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import type { UsersRepository } from '../users/users.repository.js';
import { RateLimitExceeded } from '../common/rate-limit.js';
import { MfaService } from './mfa.service.js';

function setup(opts: { atRestKey?: string; enabled?: boolean } = {}) {
  const config = structuredClone(defaultConfig);
  config.ServiceSettings.EnableMultifactorAuthentication = opts.enabled ?? true;
  config.ServiceSettings.LoginRateLimitPerSec = 0;
  config.ServiceSettings.SiteURL = 'https://www.chat.example.com';
  config.SqlSettings.AtRestEncryptKey = opts.atRestKey ?? '';
  const configService = { get: () => config } as unknown as ConfigService;
  const users = new MemoryUsers();
  const flows = new MemorySsoFlows();
  const invalidation = new LocalInvalidationBus();
  const invalidated: string[] = [];
  invalidation.on('user', (id) => invalidated.push(id));
  const service = new MfaService(
    users as unknown as UsersRepository,
    flows as unknown as SsoFlowsRepository,
    new PermissionsService(undefined as never, undefined as never, defaultRoles()),
    new LoginThrottle(configService),
    invalidation,
    configService,
  );
  return { service, users, flows, invalidated, config };
}

let n = 0;
const person = (users: MemoryUsers, over: Partial<UserRow> = {}) => users.add(testUserRow(`person${++n}`, over));
const as = (user: UserRow, over: Partial<Session> = {}) => ({ user_id: user.id, roles: user.roles, is_oauth: false, ...over }) as Session;
const codeAt = (secret: string, steps = 0) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });

/** A user with MFA active (the step-0 code spent on the activation). */
async function enrolled(ctx: ReturnType<typeof setup>) {
  const user = person(ctx.users);
  const { secret } = await ctx.service.generate(as(user), user.id);
  await ctx.service.update(as(user), user.id, true, await codeAt(secret));
  return { user: ctx.users.row(user.id), secret };
}

describe('MfaService.generate', () => {
  it('gives a new Base32 secret and its QR code, and keeps the secret pending, not active', async () => {
    const ctx = setup();
    const user = person(ctx.users);
    const answer = await ctx.service.generate(as(user), user.id);
    expect(answer.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(answer.qr_code, 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(await ctx.users.mfaSecret(user.id)).toBe(answer.secret); // no AtRestEncryptKey: in clear, as Mattermost
    expect(ctx.users.row(user.id).mfa_active).toBe(false);
    const again = await ctx.service.generate(as(user), user.id);
    expect(again.secret).not.toBe(answer.secret);
    expect(await ctx.users.mfaSecret(user.id)).toBe(again.secret);
  });

  it('seals the secret with SqlSettings.AtRestEncryptKey', async () => {
    const ctx = setup({ atRestKey: 'key-0123456789abcdef' });
    const user = person(ctx.users);
    const { secret } = await ctx.service.generate(as(user), user.id);
    const stored = await ctx.users.mfaSecret(user.id);
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain(secret);
    // And the codes of the secret still work.
    await ctx.service.update(as(user), user.id, true, await codeAt(secret));
    expect(ctx.users.row(user.id).mfa_active).toBe(true);
  });

  it("is the user's own, or a system admin's; never an OAuth app's", async () => {
    const ctx = setup();
    const user = person(ctx.users);
    const other = person(ctx.users);
    const admin = person(ctx.users, { roles: 'system_admin system_user' });
    expect((await expectAppError(ctx.service.generate(as(other), user.id))).statusCode).toBe(403);
    expect((await expectAppError(ctx.service.generate(as(user, { is_oauth: true }), user.id))).statusCode).toBe(403);
    expect((await ctx.service.generate(as(admin), user.id)).secret).toBeTruthy();
    expect((await expectAppError(ctx.service.generate(as(admin), 'x'.repeat(26)))).statusCode).toBe(404);
  });

  it('answers 501 while MFA is off, and 400 for provider accounts and accounts whose MFA is active', async () => {
    const off = setup({ enabled: false });
    const user = person(off.users);
    const disabled = await expectAppError(off.service.generate(as(user), user.id));
    expect([disabled.statusCode, disabled.id]).toEqual([501, 'mfa.mfa_disabled.app_error']);

    const ctx = setup();
    const sso = person(ctx.users, { auth_service: 'saml', auth_data: 's' });
    expect((await expectAppError(ctx.service.generate(as(sso), sso.id))).id).toBe('api.user.activate_mfa.email_and_ldap_only.app_error');
    const ldap = person(ctx.users, { auth_service: 'ldap', auth_data: 'l' });
    expect((await ctx.service.generate(as(ldap), ldap.id)).secret).toBeTruthy();
    const { user: active } = await enrolled(ctx);
    expect((await expectAppError(ctx.service.generate(as(active), active.id))).id).toBe('api.user.generate_mfa_secret.mfa_active.app_error');
  });
});

describe('MfaService.update', () => {
  it('activates only with a valid code of the generated secret, and tells every node', async () => {
    const ctx = setup();
    const user = person(ctx.users);
    const noSecret = await expectAppError(ctx.service.update(as(user), user.id, true, '123456'));
    expect([noSecret.statusCode, noSecret.id]).toEqual([401, 'mfa.activate.bad_token.app_error']);
    const { secret } = await ctx.service.generate(as(user), user.id);
    const wrong = (await codeAt(secret)) === '000000' ? '111111' : '000000';
    expect((await expectAppError(ctx.service.update(as(user), user.id, true, wrong))).id).toBe('mfa.activate.bad_token.app_error');
    expect((await expectAppError(ctx.service.update(as(user), user.id, true, 'abc'))).id).toBe('mfa.activate.bad_token.app_error');
    expect(ctx.users.row(user.id).mfa_active).toBe(false);
    await ctx.service.update(as(user), user.id, true, ` ${await codeAt(secret)} `);
    expect(ctx.users.row(user.id).mfa_active).toBe(true);
    expect(ctx.invalidated).toContain(user.id);
  });

  it('deactivates without a code and forgets the secret', async () => {
    const ctx = setup();
    const { user } = await enrolled(ctx);
    ctx.invalidated.length = 0;
    await ctx.service.update(as(user), user.id, false, '');
    expect(ctx.users.row(user.id).mfa_active).toBe(false);
    expect(await ctx.users.mfaSecret(user.id)).toBe('');
    expect(ctx.invalidated).toEqual([user.id]);
  });

  it('refuses activation for provider accounts and while MFA is off', async () => {
    const ctx = setup();
    const sso = person(ctx.users, { auth_service: 'gitlab', auth_data: 'g' });
    expect((await expectAppError(ctx.service.update(as(sso), sso.id, true, '123456'))).statusCode).toBe(400);
    ctx.config.ServiceSettings.EnableMultifactorAuthentication = false;
    const user = person(ctx.users);
    expect((await expectAppError(ctx.service.update(as(user), user.id, true, '123456'))).statusCode).toBe(501);
  });
});

describe('MfaService.check: the code of a password sign-in', () => {
  it('lets accounts without MFA through, and everyone while MFA is off on the server', async () => {
    const ctx = setup();
    await ctx.service.check(person(ctx.users), '');
    const { user } = await enrolled(ctx);
    ctx.config.ServiceSettings.EnableMultifactorAuthentication = false;
    await ctx.service.check(user, '');
  });

  it('asks for a code when none (or no code at all) was sent, refuses a wrong one, takes a valid one once', async () => {
    const ctx = setup();
    const { user, secret } = await enrolled(ctx);
    for (const missing of ['', '   ', 'abcdef', '1234567']) {
      const err = await expectAppError(ctx.service.check(user, missing));
      expect([err.statusCode, err.id]).toEqual([401, 'mfa.validate_token.authenticate.app_error']);
    }
    const next = await codeAt(secret, 1);
    const wrong = next === '000000' ? '111111' : '000000';
    expect((await expectAppError(ctx.service.check(user, wrong))).id).toBe('api.user.check_user_mfa.bad_code.app_error');
    await ctx.service.check(user, next);
    expect((await expectAppError(ctx.service.check(user, next))).id).toBe('api.user.check_user_mfa.bad_code.app_error');
    // The code that activated MFA is spent too.
    expect((await expectAppError(ctx.service.check(user, await codeAt(secret)))).id).toBe('api.user.check_user_mfa.bad_code.app_error');
  });

  it("keeps one user's used steps apart from another's", async () => {
    const ctx = setup();
    const a = await enrolled(ctx);
    const b = await enrolled(ctx);
    // Same time step, different users: both codes are good once.
    await ctx.service.check(a.user, await codeAt(a.secret, 1));
    await ctx.service.check(b.user, await codeAt(b.secret, 1));
    expect([...ctx.flows.used.keys()].filter((k) => k.startsWith(`mfa:${a.user.id}:`))).toHaveLength(2);
  });
});

describe('MfaService.required: POST /users/mfa', () => {
  it("answers by the account's MFA, false for unknown ids and while MFA is off, true for all in hardened mode", async () => {
    const ctx = setup();
    const { user } = await enrolled(ctx);
    const plain = person(ctx.users);
    expect(await ctx.service.required(user.username, '192.0.2.1')).toBe(true);
    expect(await ctx.service.required(user.email.toUpperCase(), '192.0.2.1')).toBe(true);
    expect(await ctx.service.required(plain.username, '192.0.2.1')).toBe(false);
    expect(await ctx.service.required('nobody', '192.0.2.1')).toBe(false);
    ctx.config.ServiceSettings.ExperimentalEnableHardenedMode = true;
    expect(await ctx.service.required('nobody', '192.0.2.1')).toBe(true);
    ctx.config.ServiceSettings.EnableMultifactorAuthentication = false;
    expect(await ctx.service.required(user.username, '192.0.2.1')).toBe(false);
  });

  it('is limited per address like a login', async () => {
    const ctx = setup();
    Object.assign(ctx.config.ServiceSettings, { LoginRateLimitPerSec: 0.001, LoginRateLimitMaxBurst: 1 });
    await ctx.service.required('a', '198.51.100.1');
    await ctx.service.required('b', '198.51.100.1');
    await expect(ctx.service.required('c', '198.51.100.1')).rejects.toBeInstanceOf(RateLimitExceeded);
    await ctx.service.required('c', '198.51.100.2');
  });
});
