import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { Config, defaultConfig } from '#config';
import { hashToken } from '#auth';
import { Hub, InvalidationBus, LocalInvalidationBus, SessionState } from '#realtime';
import { MemorySessions } from './in-memory-sessions.js';
import { PermissionsService } from './permissions.service.js';
import { defaultRoles } from '../roles/in-memory-roles.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';
import { SESSION_PROP_TYPE, SESSION_TYPE_USER_ACCESS_TOKEN } from '../common/session.js';

/** The hub's session-facing calls, recorded. */
class RecordingHub {
  closed: Array<[string, string | undefined]> = [];
  refreshed: Array<{ userId: string; sessions: ReadonlyMap<string, SessionState> }> = [];
  closeSessions(userId: string, sessionId?: string) {
    this.closed.push([userId, sessionId]);
  }
  async refreshSessions(userId: string, current: () => Promise<ReadonlyMap<string, SessionState>>) {
    this.refreshed.push({ userId, sessions: await current() });
  }
}

/** One node's SessionsService; nodes given the same repo and bus share a database and a cluster's invalidations. */
function setup(overrides: Partial<Config['ServiceSettings']> = {}, shared: { repo?: MemorySessions; bus?: InvalidationBus } = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.ServiceSettings, overrides);
  const repo = shared.repo ?? new MemorySessions();
  const bus = shared.bus ?? new LocalInvalidationBus();
  const hub = new RecordingHub();
  // System-level checks read the session's roles only: the permissions need no database here.
  const permissions = new PermissionsService(undefined as never, undefined as never, defaultRoles());
  const service = new SessionsService(repo as unknown as SessionsRepository, { get: () => config } as any, bus, hub as unknown as Hub, permissions);
  return { service, repo, config, hub, bus };
}

const HOUR = 3_600_000;

describe('SessionsService', () => {
  it('creates web sessions lasting SessionLengthWebInHours, with a CSRF token', async () => {
    const { service } = setup({ SessionLengthWebInHours: 2 });
    const before = Date.now();
    const s = await service.create('u'.repeat(26), 'system_user');
    expect(s.expires_at - before).toBeGreaterThanOrEqual(2 * HOUR - 5);
    expect(s.expires_at - before).toBeLessThanOrEqual(2 * HOUR + 1000);
    expect(s.props.csrf).toMatch(/^[a-z0-9]{26}$/);
  });

  it('uses SessionLengthMobileInHours for sessions with a device id', async () => {
    const { service } = setup({ SessionLengthMobileInHours: 5, SessionLengthWebInHours: 1 });
    const s = await service.create('u'.repeat(26), 'system_user', { deviceId: 'android:abc' });
    expect(Math.round((s.expires_at - s.create_at) / HOUR)).toBe(5);
  });

  it('one device, one session: a login or a registration with a device ends the user’s other sessions on it', async () => {
    const { service, repo, hub } = setup({ SessionLengthMobileInHours: 5, SessionLengthWebInHours: 1 });
    const [alice, bob] = ['a'.repeat(26), 'b'.repeat(26)];
    const first = await service.create(alice, 'system_user', { deviceId: 'apple_rn:tok' });
    const bobs = await service.create(bob, 'system_user', { deviceId: 'apple_rn:tok' });
    const second = await service.create(alice, 'system_user', { deviceId: 'apple_rn:tok' });
    expect(await repo.byId(first.id)).toBeUndefined();
    expect(hub.closed).toContainEqual([alice, first.id]);
    const web = await service.create(alice, 'system_user');
    await service.attachDevice((await repo.byId(web.id))!, 'apple_rn:tok');
    expect(await repo.byId(second.id)).toBeUndefined();
    expect(await repo.byId(bobs.id)).toBeDefined();
    const attached = repo.row(web.id);
    expect(attached.device_id).toBe('apple_rn:tok');
    expect(Math.round((attached.expires_at - Date.now()) / HOUR)).toBe(5);
    // The cached copy is dropped: the next request reads the session with its device.
    expect((await service.authenticate(web.token)).device_id).toBe('apple_rn:tok');
  });

  it('forgetDevice clears the device only while the session still has it', async () => {
    const { service, repo } = setup();
    const s = await service.create('u'.repeat(26), 'system_user', { deviceId: 'android:old' });
    await service.forgetDevice({ ...s, device_id: 'android:other' });
    expect(repo.row(s.id).device_id).toBe('android:old');
    await service.forgetDevice(s);
    expect(repo.row(s.id).device_id).toBe('');
  });

  it('refuses an expired session and deletes it', async () => {
    const { service, repo } = setup();
    const s = await service.create('u'.repeat(26), 'system_user', { expiresAt: Date.now() - 1 });
    await expect(service.authenticate(s.token)).rejects.toBeInstanceOf(AppError);
    expect(repo.rows.size).toBe(0);
  });

  it('refuses a web session idle longer than SessionIdleTimeoutInMinutes', async () => {
    const { service, repo } = setup({ SessionIdleTimeoutInMinutes: 10 });
    const s = await service.create('u'.repeat(26), 'system_user');
    repo.row(s.id).last_activity_at = Date.now() - 11 * 60_000;
    await expect(service.authenticate(s.token)).rejects.toMatchObject({ statusCode: 401, id: 'api.context.session_expired.app_error' });
  });

  it('does not apply the idle timeout to mobile sessions', async () => {
    const { service, repo } = setup({ SessionIdleTimeoutInMinutes: 10 });
    const s = await service.create('u'.repeat(26), 'system_user', { deviceId: 'ios:x' });
    repo.row(s.id).last_activity_at = Date.now() - 11 * 60_000;
    await expect(service.authenticate(s.token)).resolves.toMatchObject({ id: s.id });
  });

  it('extends the session with activity at most every five minutes', async () => {
    const { service, repo } = setup({ SessionLengthWebInHours: 1, ExtendSessionLengthWithActivity: true });
    const s = await service.create('u'.repeat(26), 'system_user');
    await service.authenticate(s.token);
    expect(repo.touches).toHaveLength(0); // fresh: nothing to write
    const row = repo.row(s.id);
    row.last_activity_at = Date.now() - 6 * 60_000;
    row.expires_at = Date.now() + 10 * 60_000;
    (service as any).cache.clear(); // read the aged row, not the cached copy
    const after = await service.authenticate(s.token);
    expect(repo.touches).toHaveLength(1);
    expect(after.expires_at).toBeGreaterThan(Date.now() + 59 * 60_000);
  });

  it('forgets a revoked session at once', async () => {
    const { service } = setup();
    const s = await service.create('u'.repeat(26), 'system_user');
    await service.authenticate(s.token);
    await service.revoke(s);
    await expect(service.authenticate(s.token)).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses unknown tokens', async () => {
    const { service } = setup();
    await expect(service.authenticate('x'.repeat(26))).rejects.toMatchObject({ statusCode: 401 });
  });
});

describe("SessionsService: a user's sessions", () => {
  const alice = 'a'.repeat(26);
  const bob = 'b'.repeat(26);

  it('lists them without their tokens, to their owner and to system admins only', async () => {
    const { service } = setup();
    const mine = await service.create(alice, 'system_user');
    const admin = await service.create(bob, 'system_user system_admin');
    expect(await service.userSessions(mine, alice)).toEqual([expect.objectContaining({ id: mine.id, token: '' })]);
    expect(await service.userSessions(admin, alice)).toHaveLength(1);
    await expect(service.userSessions(mine, bob)).rejects.toMatchObject({ statusCode: 403, id: 'api.context.permissions.app_error' });
  });

  it('revokes one only when it belongs to that user', async () => {
    const { service, repo } = setup();
    const mine = await service.create(alice, 'system_user');
    const other = await service.create(bob, 'system_user');
    await expect(service.revokeUserSession(mine, alice, other.id)).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.user.revoke_session.user_id_mismatch.app_error',
    });
    await expect(service.revokeUserSession(mine, bob, other.id)).rejects.toMatchObject({ statusCode: 403 });
    await service.revokeUserSession(mine, alice, mine.id);
    expect([...repo.rows.values()].map((s) => s.id)).toEqual([other.id]);
  });

  it('revokes all of them for their owner, not for another user', async () => {
    const { service, repo } = setup();
    const mine = await service.create(alice, 'system_user');
    await service.create(alice, 'system_user');
    const other = await service.create(bob, 'system_user');
    await expect(service.revokeUserSessions(other, alice)).rejects.toMatchObject({ statusCode: 403 });
    await service.revokeUserSessions(mine, alice);
    expect([...repo.rows.values()].map((s) => s.user_id)).toEqual([bob]);
  });
});

describe('SessionsService: tokens at rest', () => {
  const alice = 'a'.repeat(26);

  it('stores the SHA-256 of the token, and only the token itself authenticates', async () => {
    const { service, repo } = setup();
    const s = await service.create(alice, 'system_user');
    expect(s.token).toMatch(/^[a-z0-9]{26}$/);
    const row = repo.row(s.id);
    expect(row.token).toBe(hashToken(s.token));
    expect(JSON.stringify([...repo.rows.values()])).not.toContain(s.token);
    // What a reader of the table (or a backup) holds is no bearer token.
    await expect(service.authenticate(row.token)).rejects.toMatchObject({ statusCode: 401, id: 'api.context.session_expired.app_error' });
    await expect(service.authenticate(s.token)).resolves.toMatchObject({ id: s.id, user_id: alice });
  });

  it('opens a session for a token stored hashed (a personal access token) without knowing the token', async () => {
    const { service } = setup();
    const bearer = 'p'.repeat(26);
    const s = await service.create(alice, 'system_user', { tokenHash: hashToken(bearer) });
    expect(s.token).toBe('');
    await expect(service.authenticate(bearer)).resolves.toMatchObject({ id: s.id });
  });

  it('names sessions by id in invalidations and never in the detail of a refusal', async () => {
    const { service, bus } = setup();
    const keys: string[] = [];
    bus.on('session', (key) => keys.push(key));
    const s = await service.create(alice, 'system_user');
    await service.revoke(s);
    expect(keys).toEqual([`${alice}:${s.id}`]);
    const refused = (await service.authenticate(s.token).catch((e: unknown) => e)) as AppError;
    expect(refused.detailedError).toBe(`token_sha256=${hashToken(s.token)}`);
  });

  it('a revocation on one node reaches the cache and the sockets of another', async () => {
    const repo = new MemorySessions();
    const bus = new LocalInvalidationBus();
    const a = setup({}, { repo, bus });
    const b = setup({}, { repo, bus });
    const s = await a.service.create(alice, 'system_user');
    await a.service.authenticate(s.token); // cached on node a
    await b.service.revoke(await b.service.authenticate(s.token));
    await expect(a.service.authenticate(s.token)).rejects.toMatchObject({ statusCode: 401 });
    expect(a.hub.closed).toEqual([[alice, s.id]]);
  });
});

describe('SessionsService: password change and role change', () => {
  const alice = 'a'.repeat(26);
  const bob = 'b'.repeat(26);

  it("a password change ends the user's other sessions, keeps the caller's and the access tokens'", async () => {
    const { service, repo, hub } = setup();
    const current = await service.create(alice, 'system_user');
    const other = await service.create(alice, 'system_user');
    const pat = await service.create(alice, 'system_user', {
      tokenHash: hashToken('t'.repeat(26)),
      props: { [SESSION_PROP_TYPE]: SESSION_TYPE_USER_ACCESS_TOKEN, user_access_token_id: 'x'.repeat(26) },
    });
    const bobs = await service.create(bob, 'system_user');
    await service.revokeOthersAfterPasswordChange(alice, current.id);
    expect([...repo.rows.values()].map((s) => s.id).sort()).toEqual([current.id, pat.id, bobs.id].sort());
    expect(hub.closed).toEqual([[alice, other.id]]);
    await expect(service.authenticate(other.token)).rejects.toMatchObject({ statusCode: 401 });
    // An administrator's change keeps none of the user's login sessions.
    await service.revokeOthersAfterPasswordChange(alice, '');
    expect([...repo.rows.values()].map((s) => s.id).sort()).toEqual([pat.id, bobs.id].sort());
  });

  it("new roles reach the user's cached sessions and open sockets on every node", async () => {
    const repo = new MemorySessions();
    const bus = new LocalInvalidationBus();
    const a = setup({}, { repo, bus });
    const b = setup({}, { repo, bus });
    const web = await a.service.create(alice, 'system_user system_admin');
    await b.service.authenticate(web.token); // cached on node b with the admin role
    await a.service.rolesChanged(alice, 'system_user');
    expect((await b.service.authenticate(web.token)).roles).toBe('system_user');
    for (const node of [a, b]) {
      expect(node.hub.refreshed).toEqual([{ userId: alice, sessions: new Map([[web.id, { roles: 'system_user', sessionExpiresAt: web.expires_at }]]) }]);
    }
  });
});
