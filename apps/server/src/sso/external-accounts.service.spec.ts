import { describe, expect, it } from 'vitest';
import { Config, defaultConfig } from '#config';
import { expectAppError } from '#testing';
import { testUserRow } from '../users/user.fixtures.js';
import { cleanUsername, ExternalIdentity } from './external-accounts.service.js';
import { externalAccountsFixture } from './external-accounts.fixtures.js';

function setup(teamSettings: Partial<Config['TeamSettings']> = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.TeamSettings, { EnableUserCreation: true, ...teamSettings });
  const { accounts: service, ...fixture } = externalAccountsFixture(config);
  return { service, ...fixture };
}

let n = 0;
function identity(over: Partial<ExternalIdentity> = {}): ExternalIdentity {
  n++;
  return { service: 'saml', authData: `subject-${n}`, email: `Person${n}@Example.com`, username: `person${n}`, firstName: 'First', lastName: 'Last', ...over };
}

describe('ExternalAccountsService.signIn', () => {
  it('creates the account on the first sign-in: the provider owns it, it has no password', async () => {
    const { service, users } = setup();
    const id = identity({ nickname: 'Nick', position: 'Engineer', locale: 'fr' });
    const user = await service.signIn(id);
    expect(user).toMatchObject({
      auth_service: 'saml',
      auth_data: id.authData,
      email: id.email.toLowerCase(),
      username: id.username,
      first_name: 'First',
      last_name: 'Last',
      nickname: 'Nick',
      position: 'Engineer',
      locale: 'fr',
      roles: 'system_user',
      password: '',
    });
    expect(users.row(user.id).password).toBe('');
  });

  it("finds the account by the provider's subject on later sign-ins and keeps it in step", async () => {
    const { service, publisher, invalidated } = setup();
    const id = identity();
    const first = await service.signIn(id);
    const again = await service.signIn({ ...id, email: 'renamed@example.com', firstName: 'Renamed', username: 'someone-else' });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({ email: 'renamed@example.com', first_name: 'Renamed', last_name: 'Last', username: 'someone-else' });
    expect(invalidated).toContain(first.id);
    expect(publisher.events.some((e) => e.event === 'user_updated')).toBe(true);
    // Nothing changed: nothing written, nothing announced.
    const count = publisher.events.length;
    expect((await service.signIn({ ...id, email: 'renamed@example.com', firstName: 'Renamed', username: 'someone-else' })).update_at).toBe(again.update_at);
    expect(publisher.events.length).toBe(count);
  });

  it("maps the provider's admin and guest attributes to system roles, demoting too, and keeps other roles", async () => {
    const { service, users, sessions, sessionRows } = setup();
    const id = identity();
    const admin = await service.signIn({ ...id, role: 'admin' });
    expect(admin.roles).toBe('system_admin system_user');
    const session = await sessions.create(admin.id, admin.roles);
    // The admin attribute is gone at the IdP: demoted, and the live session with it.
    expect((await service.signIn({ ...id, role: 'user' })).roles).toBe('system_user');
    expect(sessionRows.row(session.id).roles).toBe('system_user');
    expect((await service.signIn({ ...id, role: 'guest' })).roles).toBe('system_guest');
    // A provider that maps no roles leaves them; a role the provider does not decide stays.
    users.row(admin.id).roles = 'system_user system_user_manager';
    expect((await service.signIn({ ...id, role: undefined })).roles).toBe('system_user system_user_manager');
    expect((await service.signIn({ ...id, role: 'admin' })).roles).toBe('system_admin system_user system_user_manager');
    expect((await service.signIn(identity({ role: 'guest' }))).roles).toBe('system_guest');
  });

  it('refuses a deactivated account', async () => {
    const { service, users } = setup();
    const id = identity();
    const user = await service.signIn(id);
    users.row(user.id).delete_at = Date.now();
    const err = await expectAppError(service.signIn(id));
    expect([err.statusCode, err.id]).toEqual([401, 'api.user.login.inactive.app_error']);
  });

  it('never signs in to an account of another sign-in method that has the same email', async () => {
    const { service, users } = setup();
    const local = users.add(testUserRow('local', { email: 'shared@example.com', password: 'hash' }));
    const err = await expectAppError(service.signIn(identity({ email: 'Shared@Example.com' })));
    expect([err.statusCode, err.id]).toEqual([400, 'api.user.create_oauth_user.already_attached.app_error']);
    expect(err.message).toContain('SAML');
    // Nor take its email over on a later sign-in.
    const id = identity();
    await service.signIn(id);
    const update = await expectAppError(service.signIn({ ...id, email: 'shared@example.com' }));
    expect(update.id).toBe('api.user.create_oauth_user.already_attached.app_error');
    expect(users.row(local.id)).toMatchObject({ auth_service: '', password: 'hash' });
  });

  it('makes the username unique and valid instead of taking over a local username', async () => {
    const { service, users } = setup();
    users.add(testUserRow('alice'));
    users.add(testUserRow('alice1'));
    expect((await service.signIn(identity({ username: 'alice' }))).username).toBe('alice2');
    expect((await service.signIn(identity({ username: 'Bob Smith!' }))).username).toBe('bob-smith-');
    expect((await service.signIn(identity({ username: undefined, email: 'carol.jones@example.com' }))).username).toBe('carol.jones');
    // A later sign-in asking for a taken name keeps the account's own.
    const id = identity({ username: 'dave' });
    await service.signIn(id);
    expect((await service.signIn({ ...id, username: 'alice' })).username).toBe('dave');
  });

  it('answers 501 for a new account while TeamSettings.EnableUserCreation is off, and still signs existing ones in', async () => {
    const ctx = setup();
    const existing = identity();
    await ctx.service.signIn(existing);
    ctx.config.TeamSettings.EnableUserCreation = false;
    const err = await expectAppError(ctx.service.signIn(identity()));
    expect([err.statusCode, err.id]).toEqual([501, 'api.user.create_user.disabled.app_error']);
    expect((await ctx.service.signIn(existing)).auth_data).toBe(existing.authData);
  });

  it('refuses an identity without a usable subject or email', async () => {
    const { service } = setup();
    expect((await expectAppError(service.signIn(identity({ authData: '' })))).id).toBe('api.user.authorize_oauth_user.missing.app_error');
    expect((await expectAppError(service.signIn(identity({ authData: 'x'.repeat(129) })))).statusCode).toBe(400);
    expect((await expectAppError(service.signIn(identity({ email: 'not-an-email' })))).id).toBe('model.user.is_valid.email.app_error');
  });
});

describe('ExternalAccountsService switch tokens (email → provider)', () => {
  async function emailAccount(ctx: ReturnType<typeof setup>) {
    const user = ctx.users.add(testUserRow(`mover${++n}`, { password: 'hash' }));
    const session = await ctx.sessions.create(user.id, user.roles);
    return { user, session };
  }
  const unavailable = 'api.user.complete_switch_with_oauth.unavailable.app_error';

  it("moves the account the token was issued for to the provider, ends its sessions, and takes the provider's profile", async () => {
    const ctx = setup();
    const { user, session } = await emailAccount(ctx);
    const token = await ctx.service.startSwitch(user.id, 'gitlab');
    expect(token).toMatch(/^[a-z0-9]{52}$/);
    const moved = await ctx.service.completeSwitch(token, identity({ service: 'gitlab', authData: 'gl-42', email: 'mover@corp.example.com' }));
    expect(moved).toMatchObject({ id: user.id, auth_service: 'gitlab', auth_data: 'gl-42', email: 'mover@corp.example.com' });
    expect(ctx.users.row(user.id).password).toBe('');
    expect(ctx.sessionRows.rows.size).toBe(0);
    await expect(ctx.sessions.authenticate(session.token)).rejects.toMatchObject({ statusCode: 401 });
    // The account now signs in through the provider.
    expect((await ctx.service.signIn(identity({ service: 'gitlab', authData: 'gl-42', email: 'mover@corp.example.com' }))).id).toBe(user.id);
  });

  it('clears the MFA of an account that moves to a provider (the provider signs it in from then on)', async () => {
    const ctx = setup();
    const user = ctx.users.add(testUserRow(`mover${++n}`, { password: 'hash', mfa_active: true }));
    const token = await ctx.service.startSwitch(user.id, 'saml');
    const moved = await ctx.service.completeSwitch(token, identity({ service: 'saml', authData: `saml-${user.id}` }));
    expect(moved.mfa_active).toBe(false);
    expect(ctx.users.row(user.id).mfa_active).toBe(false);
  });

  it('takes a token once', async () => {
    const ctx = setup();
    const { user } = await emailAccount(ctx);
    const token = await ctx.service.startSwitch(user.id, 'saml');
    await ctx.service.completeSwitch(token, identity({ service: 'saml' }));
    const again = await expectAppError(ctx.service.completeSwitch(token, identity({ service: 'saml' })));
    expect([again.statusCode, again.id]).toEqual([400, unavailable]);
  });

  it('is bound to the service it was started for, and to nothing without one', async () => {
    const ctx = setup();
    const { user } = await emailAccount(ctx);
    const token = await ctx.service.startSwitch(user.id, 'gitlab');
    expect((await expectAppError(ctx.service.completeSwitch(token, identity({ service: 'openid' })))).id).toBe(unavailable);
    expect((await expectAppError(ctx.service.completeSwitch('', identity({ service: 'gitlab' })))).id).toBe(unavailable);
    expect((await expectAppError(ctx.service.completeSwitch('made-up-token', identity({ service: 'gitlab' })))).id).toBe(unavailable);
    expect(ctx.users.row(user.id).auth_service).toBe('');
  });

  it('expires after ten minutes', async () => {
    const ctx = setup();
    const { user } = await emailAccount(ctx);
    const token = await ctx.service.startSwitch(user.id, 'google');
    ctx.flows.now = () => Date.now() + 10 * 60_000 + 1;
    expect((await expectAppError(ctx.service.completeSwitch(token, identity({ service: 'google' })))).id).toBe(unavailable);
  });

  it("refuses a provider account another account already uses, and a deactivated account's switch", async () => {
    const ctx = setup();
    const taken = identity({ service: 'office365' });
    await ctx.service.signIn(taken);
    const { user } = await emailAccount(ctx);
    const token = await ctx.service.startSwitch(user.id, 'office365');
    const err = await expectAppError(ctx.service.completeSwitch(token, { ...taken, email: 'other@example.com' }));
    expect([err.statusCode, err.id]).toEqual([400, 'api.user.complete_switch_with_oauth.already_attached.app_error']);

    const { user: gone } = await emailAccount(ctx);
    const goneToken = await ctx.service.startSwitch(gone.id, 'saml');
    ctx.users.row(gone.id).delete_at = Date.now();
    expect((await expectAppError(ctx.service.completeSwitch(goneToken, identity({ service: 'saml' })))).id).toBe('api.user.login.inactive.app_error');
  });
});

describe('cleanUsername', () => {
  it("follows Mattermost's CleanUsername", () => {
    expect(cleanUsername('John.Doe')).toBe('john.doe');
    expect(cleanUsername('1abc')).toBe('a1abc');
    expect(cleanUsername('ab')).toBe('ab0');
    expect(cleanUsername('x'.repeat(80))).toHaveLength(64);
    expect(cleanUsername('all')).toMatch(/^a[a-z0-9]+$/); // reserved: a random valid name
  });
});
