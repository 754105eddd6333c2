import { describe, expect, it } from 'vitest';
import { newId } from '#common';
import { ConfigService, defaultConfig } from '#config';
import { RecordingPublisher } from '#testing';
import { PermissionsService } from '../auth/permissions.service.js';
import { defaultRoles } from '../roles/in-memory-roles.js';

const ROLES = defaultRoles();
const rolesGrant = (roles: string, permission: string) => ROLES.grants(roles, permission);
import type { Session } from '../common/session.js';
import type { UsersRepository } from '../users/users.repository.js';
import { TypingService } from './typing.service.js';

/** Channel roles per `channel:user`, decided through the real role table. */
class MemoryPermissions extends PermissionsService {
  readonly channelRoles = new Map<string, string>();
  constructor() {
    super(undefined as never, undefined as never, ROLES);
  }
  override async hasChannel(session: Session, channelId: string, permission: string): Promise<boolean> {
    if (this.hasSystem(session, permission)) return true;
    const roles = this.channelRoles.get(`${channelId}:${session.user_id}`);
    return roles !== undefined && rolesGrant(roles, permission);
  }
}

function setup() {
  const config = structuredClone(defaultConfig);
  const permissions = new MemoryPermissions();
  const publisher = new RecordingPublisher();
  const users = { byId: async () => undefined } as unknown as UsersRepository;
  const typing = new TypingService(permissions, users, publisher, { get: () => config } as unknown as ConfigService);
  const [alice, bob] = [newId(), newId()].map((id) => ({ user_id: id, roles: 'system_user' }));
  const [room, hall, closed] = [newId(), newId(), newId()];
  for (const channel of [room, hall]) {
    for (const who of [alice, bob]) permissions.channelRoles.set(`${channel}:${who.user_id}`, 'channel_user');
  }
  const typingEvents = () => publisher.events.filter((e) => e.event === 'typing');
  return { config, typing, typingEvents, alice, bob, room, hall, closed };
}

describe('TypingService: throttling typing notices', () => {
  it('turns a burst of 1,000 notices from one user in one channel into one typing event', async () => {
    const { typing, typingEvents, alice, room } = setup();
    for (let i = 0; i < 1000; i++) await typing.userTyping(alice, alice.user_id, room, '');
    expect(typingEvents()).toHaveLength(1);
    expect(typingEvents()[0]).toMatchObject({ broadcast: { channel_id: room }, data: { user_id: alice.user_id, parent_id: '' } });
  });

  it('throttles per user and place: another channel, a thread of the channel or another typist still gets through', async () => {
    const { typing, typingEvents, alice, bob, room, hall } = setup();
    const thread = 'p'.repeat(26);
    await typing.userTyping(alice, alice.user_id, room);
    // A reply typed right after: news to whoever has the thread open; again in the same thread is not.
    await typing.userTyping(alice, alice.user_id, room, thread);
    await typing.userTyping(alice, alice.user_id, room, thread);
    await typing.userTyping(alice, alice.user_id, hall);
    await typing.userTyping(bob, bob.user_id, room);
    expect(typingEvents().map((e) => [e.data.user_id, e.broadcast.channel_id, e.data.parent_id])).toEqual([
      [alice.user_id, room, ''],
      [alice.user_id, room, thread],
      [alice.user_id, hall, ''],
      [bob.user_id, room, ''],
    ]);
  });

  it('checks permissions as before: a refused notice is still refused, and does not start the window', async () => {
    const { typing, typingEvents, alice, bob, closed, room } = setup();
    for (let i = 0; i < 3; i++) {
      await expect(typing.userTyping(alice, alice.user_id, closed)).rejects.toMatchObject({ statusCode: 403 });
    }
    await expect(typing.userTyping(alice, bob.user_id, room)).rejects.toMatchObject({ statusCode: 403 });
    // bob's own notice is not throttled by alice's refused attempt to type as him.
    await typing.userTyping(bob, bob.user_id, room);
    expect(typingEvents()).toHaveLength(1);
  });

  it('publishes every notice when TimeBetweenUserTypingUpdatesMilliseconds is 0', async () => {
    const { config, typing, typingEvents, alice, room } = setup();
    config.ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds = 0;
    for (let i = 0; i < 5; i++) await typing.userTyping(alice, alice.user_id, room);
    expect(typingEvents()).toHaveLength(5);
  });
});
