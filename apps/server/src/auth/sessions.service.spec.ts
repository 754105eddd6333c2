import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { Config, defaultConfig } from '#config';
import { Hub, LocalInvalidationBus } from '#realtime';
import type { Session } from '../common/session.js';
import { PermissionsService } from './permissions.service.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

/** An in-memory stand-in for the sessions table, recording writes. */
class MemorySessions {
  rows = new Map<string, Session>();
  touches: Array<{ id: string; lastActivityAt: number; expiresAt: number }> = [];
  async insert(s: Session) {
    this.rows.set(s.token, { ...s });
  }
  async byToken(token: string) {
    const s = this.rows.get(token);
    return s ? { ...s } : undefined;
  }
  async byId(id: string) {
    return [...this.rows.values()].find((s) => s.id === id);
  }
  async forUser(userId: string) {
    return [...this.rows.values()].filter((s) => s.user_id === userId);
  }
  async deleteForUser(userId: string) {
    const gone = await this.forUser(userId);
    for (const s of gone) this.rows.delete(s.token);
    return gone;
  }
  async deleteById(id: string) {
    for (const [t, s] of this.rows)
      if (s.id === id) {
        this.rows.delete(t);
        return s;
      }
    return undefined;
  }
  async touch(id: string, lastActivityAt: number, expiresAt: number) {
    this.touches.push({ id, lastActivityAt, expiresAt });
  }
}

function setup(overrides: Partial<Config['ServiceSettings']> = {}) {
  const config = structuredClone(defaultConfig);
  Object.assign(config.ServiceSettings, overrides);
  const repo = new MemorySessions();
  const hub = { closeSessions: () => undefined } as unknown as Hub;
  // System-level checks read the session's roles only: the permissions need no database here.
  const permissions = new PermissionsService(undefined as never, undefined as never);
  const service = new SessionsService(repo as unknown as SessionsRepository, { get: () => config } as any, new LocalInvalidationBus(), hub, permissions);
  return { service, repo, config };
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

  it('refuses an expired session and deletes it', async () => {
    const { service, repo } = setup();
    const s = await service.create('u'.repeat(26), 'system_user', { expiresAt: Date.now() - 1 });
    await expect(service.authenticate(s.token)).rejects.toBeInstanceOf(AppError);
    expect(repo.rows.size).toBe(0);
  });

  it('refuses a web session idle longer than SessionIdleTimeoutInMinutes', async () => {
    const { service, repo } = setup({ SessionIdleTimeoutInMinutes: 10 });
    const s = await service.create('u'.repeat(26), 'system_user');
    repo.rows.get(s.token)!.last_activity_at = Date.now() - 11 * 60_000;
    await expect(service.authenticate(s.token)).rejects.toMatchObject({ statusCode: 401, id: 'api.context.session_expired.app_error' });
  });

  it('does not apply the idle timeout to mobile sessions', async () => {
    const { service, repo } = setup({ SessionIdleTimeoutInMinutes: 10 });
    const s = await service.create('u'.repeat(26), 'system_user', { deviceId: 'ios:x' });
    repo.rows.get(s.token)!.last_activity_at = Date.now() - 11 * 60_000;
    await expect(service.authenticate(s.token)).resolves.toMatchObject({ id: s.id });
  });

  it('extends the session with activity at most every five minutes', async () => {
    const { service, repo } = setup({ SessionLengthWebInHours: 1, ExtendSessionLengthWithActivity: true });
    const s = await service.create('u'.repeat(26), 'system_user');
    await service.authenticate(s.token);
    expect(repo.touches).toHaveLength(0); // fresh: nothing to write
    const row = repo.rows.get(s.token)!;
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
