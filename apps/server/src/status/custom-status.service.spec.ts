import { describe, expect, it } from 'vitest';
import { ConfigService, defaultConfig } from '#config';
import { LocalInvalidationBus } from '#realtime';
import { RecordingPublisher } from '#testing';
import { PermissionsService } from '../auth/permissions.service.js';
import type { SessionsService } from '../auth/sessions.service.js';
import type { Session } from '../common/session.js';
import type { Preference } from '../preferences/preference.model.js';
import type { PreferencesRepository } from '../preferences/preferences.repository.js';
import { defaultRoles } from '../roles/in-memory-roles.js';
import type { CategoriesService } from '../categories/categories.service.js';
import { PreferencesService } from '../preferences/preferences.service.js';
import type { TeamsService } from '../teams/teams.service.js';
import type { LoginService } from '../users/login.service.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import type { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { addRecent, customStatusFromBody, goTime, ZERO_TIME } from './custom-status.model.js';
import { CustomStatusService } from './custom-status.service.js';

/** The users table's prop write, as UsersRepository.setProp does it (the row after the change). */
class MemoryUsers {
  readonly rows = new Map<string, UserRow>();
  async byId(id: string) {
    return this.rows.get(id);
  }
  async setProp(id: string, key: string, value: string, now: number) {
    const row = this.rows.get(id);
    if (!row) return undefined;
    row.props = { ...row.props, [key]: value };
    row.update_at = now;
    return structuredClone(row);
  }
}

class MemoryPreferences {
  readonly rows = new Map<string, Preference>();
  async one(userId: string, category: string, name: string) {
    return this.rows.get(`${userId}/${category}/${name}`);
  }
  async upsert(prefs: Preference[]) {
    for (const p of prefs) this.rows.set(`${p.user_id}/${p.category}/${p.name}`, { ...p });
  }
}

const HOUR = 3_600_000;
const future = (ms = HOUR) => new Date(Date.now() + ms).toISOString();

function setup() {
  const config = structuredClone(defaultConfig);
  const configService = { get: () => config } as unknown as ConfigService;
  const permissions = new PermissionsService(undefined as never, undefined as never, defaultRoles());
  const publisher = new RecordingPublisher();
  const users = new MemoryUsers();
  const prefs = new MemoryPreferences();
  const usersService = new UsersService(
    users as unknown as UsersRepository,
    configService,
    undefined as unknown as SessionsService,
    permissions,
    undefined as unknown as TeamsService,
    publisher,
    new LocalInvalidationBus(),
    undefined as unknown as LoginService,
    undefined as never, // team invitations: no sign-up with an invitation here
    undefined as never, // verification links: no RequireEmailVerification here
  );
  // Only favorite_channel preferences move sidebar categories; custom statuses never do.
  const noCategories = { preferencesSaved: async () => undefined, preferencesDeleted: async () => undefined } as unknown as CategoriesService;
  const preferences = new PreferencesService(prefs as unknown as PreferencesRepository, permissions, publisher, noCategories);
  const service = new CustomStatusService(configService, permissions, usersService, preferences, prefs as unknown as PreferencesRepository);
  const person = (name: string, roles = 'system_user') => {
    const row = testUserRow(name, { roles });
    users.rows.set(row.id, row);
    return { id: row.id, session: { id: `s-${name}`, user_id: row.id, roles } as Session };
  };
  const recent = (userId: string) => JSON.parse(prefs.rows.get(`${userId}/custom_status/recent_custom_statuses`)?.value ?? 'null');
  const stored = (userId: string) => users.rows.get(userId)!.props.customStatus;
  return { config, service, publisher, users, prefs, person, recent, stored };
}

describe('custom status model: Mattermost validation and PreSave', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('needs an emoji or a text', () => {
    expect(() => customStatusFromBody({ duration: 'one_hour', expires_at: '2030-01-01T01:00:00Z' }, now)).toThrow(
      expect.objectContaining({ id: 'api.context.invalid_body_param.app_error', statusCode: 400 }),
    );
    expect(customStatusFromBody({ emoji: 'calendar' }, now)).toEqual({ emoji: 'calendar', text: '', duration: '', expires_at: ZERO_TIME });
  });

  it('accepts only the known durations, each with an expiry still to come', () => {
    for (const duration of ['thirty_minutes', 'one_hour', 'four_hours', 'today', 'this_week', 'date_and_time']) {
      expect(customStatusFromBody({ text: 'x', duration, expires_at: '2030-01-01T05:00:00Z' }, now).duration).toBe(duration);
    }
    expect(() => customStatusFromBody({ text: 'x', duration: 'forever', expires_at: '2030-01-01T05:00:00Z' }, now)).toThrow();
    expect(() => customStatusFromBody({ text: 'x', duration: 'one_hour', expires_at: '2029-12-31T23:00:00Z' }, now)).toThrow();
    // A named duration always needs an expiry; none at all is the zero time, which has passed.
    expect(() => customStatusFromBody({ text: 'x', duration: 'today' }, now)).toThrow();
  });

  it('gives a future expiry without a duration date_and_time, and refuses a past one', () => {
    expect(customStatusFromBody({ text: 'x', expires_at: '2030-01-02T00:00:00+02:00' }, now)).toMatchObject({
      duration: 'date_and_time',
      expires_at: '2030-01-02T00:00:00+02:00',
    });
    expect(() => customStatusFromBody({ text: 'x', expires_at: '2029-01-01T00:00:00Z' }, now)).toThrow();
  });

  it('cuts the text to 100 characters (runes), never refusing it', () => {
    const text = '😀'.repeat(150);
    expect([...customStatusFromBody({ text }, now).text]).toHaveLength(100);
  });

  it('refuses fields of the wrong type and times Go cannot parse', () => {
    for (const body of [{ text: 5 }, { text: 'x', expires_at: 'tomorrow' }, { text: 'x', expires_at: '2030-02-30T00:00:00Z' }, ['x'], 'x']) {
      expect(() => customStatusFromBody(body, now)).toThrow(expect.objectContaining({ statusCode: 400 }));
    }
  });

  it('writes times as Go marshals them', () => {
    expect(goTime('2030-01-01T10:00:00.000Z')?.text).toBe('2030-01-01T10:00:00Z');
    expect(goTime('2030-01-01T10:00:00.120+00:00')?.text).toBe('2030-01-01T10:00:00.12Z');
    expect(goTime('2030-01-01T10:00:00-05:30')?.ms).toBe(Date.parse('2030-01-01T15:30:00Z'));
    expect(goTime(ZERO_TIME)?.ms).toBeLessThan(0);
  });

  it('keeps five recent statuses, newest first, one per text', () => {
    let list = [] as ReturnType<typeof addRecent>;
    for (const text of ['a', 'b', 'c', 'd', 'e', 'f']) list = addRecent(list, { emoji: 'e', text, duration: '', expires_at: ZERO_TIME });
    expect(list.map((s) => s.text)).toEqual(['f', 'e', 'd', 'c', 'b']);
    list = addRecent(list, { emoji: 'other', text: 'c', duration: '', expires_at: ZERO_TIME });
    expect(list.map((s) => `${s.emoji}:${s.text}`)).toEqual(['other:c', 'e:f', 'e:e', 'e:d', 'e:b']);
  });
});

describe('CustomStatusService', () => {
  it('stores the status in the props, announces the user and remembers it as recent', async () => {
    const { service, person, stored, recent, publisher } = setup();
    const alice = person('alice');
    const expires = future();
    await service.set(alice.session, alice.id, { emoji: 'palm_tree', text: 'On holiday', duration: 'one_hour', expires_at: expires });
    const status = JSON.parse(stored(alice.id));
    expect(status).toEqual({ emoji: 'palm_tree', text: 'On holiday', duration: 'one_hour', expires_at: goTime(expires)!.text });
    expect(recent(alice.id)).toEqual([status]);
    const updated = publisher.events.filter((e) => e.event === 'user_updated');
    // Everyone sees the new props (sanitized), the user its own full record.
    expect(updated).toHaveLength(2);
    expect(JSON.parse((updated[0].data.user as { props: { customStatus: string } }).props.customStatus)).toEqual(status);
    expect(publisher.events.some((e) => e.event === 'preferences_changed' && e.broadcast.user_id === alice.id)).toBe(true);
  });

  it("refuses another user's status without edit_other_users, and allows it to an admin", async () => {
    const { service, person, stored } = setup();
    const [alice, bob, admin] = [person('alice'), person('bob'), person('admin', 'system_user system_admin')];
    await expect(service.set(bob.session, alice.id, { text: 'hijacked' })).rejects.toMatchObject({ statusCode: 403, id: 'api.context.permissions.app_error' });
    await expect(service.clear(bob.session, alice.id)).rejects.toMatchObject({ statusCode: 403 });
    expect(stored(alice.id)).toBeUndefined();
    await service.set(admin.session, alice.id, { text: 'set by admin' });
    expect(JSON.parse(stored(alice.id)).text).toBe('set by admin');
  });

  it('answers 501 on every route while EnableCustomUserStatuses is off, before reading the body', async () => {
    const { service, person, config } = setup();
    const alice = person('alice');
    config.TeamSettings.EnableCustomUserStatuses = false;
    const disabled = { statusCode: 501, id: 'api.custom_status.disabled' };
    await expect(service.set(alice.session, alice.id, 'not a status')).rejects.toMatchObject(disabled);
    await expect(service.clear(alice.session, alice.id)).rejects.toMatchObject(disabled);
    await expect(service.forgetRecent(alice.session, alice.id, {})).rejects.toMatchObject(disabled);
  });

  it('clears the status to an empty string and announces it', async () => {
    const { service, person, stored, publisher } = setup();
    const alice = person('alice');
    await service.set(alice.session, alice.id, { emoji: 'coffee', text: 'Break' });
    publisher.events.length = 0;
    await service.clear(alice.session, alice.id);
    expect(stored(alice.id)).toBe('');
    expect(publisher.events.filter((e) => e.event === 'user_updated')).toHaveLength(2);
  });

  it('forgets exactly the recent status sent, and refuses one that is not in the list', async () => {
    const { service, person, recent } = setup();
    const alice = person('alice');
    await expect(service.forgetRecent(alice.session, alice.id, { emoji: 'x', text: 'x' })).rejects.toMatchObject({ statusCode: 400 });
    await service.set(alice.session, alice.id, { emoji: 'coffee', text: 'Break' });
    await service.set(alice.session, alice.id, { emoji: 'house', text: 'Home' });
    const [home, brk] = recent(alice.id);
    // Differing in one field (the emoji) is another status.
    await expect(service.forgetRecent(alice.session, alice.id, { ...brk, emoji: 'tea' })).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.custom_status.recent_custom_statuses.delete.app_error',
    });
    await service.forgetRecent(alice.session, alice.id, brk);
    expect(recent(alice.id)).toEqual([home]);
  });
});
