import { describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { defaultConfig } from '#config';
import type { Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import type { ChannelsService } from '../channels/channels.service.js';
import type { PostsService } from '../posts/posts.service.js';
import { defaultRoles, InMemoryRolesRepository } from '../roles/in-memory-roles.js';
import type { AccessTokensService } from '../users/access-tokens.service.js';
import { testUserRow } from '../users/user.fixtures.js';
import type { UserRow } from '../users/user.model.js';
import type { UsersService } from '../users/users.service.js';
import { BotAccess } from './bot-access.js';
import type { BotsRepository } from './bots.repository.js';
import { ADD_BOT_TEAMS_CHANNELS, BotsService } from './bots.service.js';
import { MemoryBots } from './in-memory-bots.js';
import { isSvg } from './bot-icons.service.js';

/** Roles beyond the defaults: what a system admin can hand ordinary users in the System Console. */
const CUSTOM_ROLES = {
  bot_maker: 'create_bot read_bots manage_bots',
  bot_reader: 'read_others_bots',
};

function setup(enabled = true) {
  const rolesRepo = new InMemoryRolesRepository();
  for (const [name, permissions] of Object.entries(CUSTOM_ROLES)) {
    rolesRepo.rows.push({ ...rolesRepo.rows[0], id: `${name}`.padEnd(26, 'x'), name, permissions, built_in: false, scheme_managed: false });
  }
  const permissions = new PermissionsService(undefined as never, undefined as never, defaultRoles(rolesRepo));
  const config = structuredClone(defaultConfig);
  config.ServiceSettings.EnableBotAccountCreation = enabled;
  const users = new Map<string, UserRow>();
  const bots = new MemoryBots(users);
  const access = new BotAccess(bots as unknown as BotsRepository, permissions);
  const greetings: Array<{ from: string; to: string; type: string }> = [];
  const activeChanges: Array<[string, boolean]> = [];
  const reopened: string[] = [];
  const usersService = {
    get: async (id: string) => {
      const u = users.get(id);
      if (!u) throw new AppError('', 'app.user.missing_account.const', 'missing', 404);
      return u;
    },
    createBotUser: async (username: string, displayName: string) => {
      if ([...users.values()].some((u) => u.username === username)) throw new AppError('', 'app.user.save.username_exists.app_error', 'taken', 400);
      const u = testUserRow(username, { email: `${username}@localhost`, first_name: displayName, is_bot: true });
      users.set(u.id, u);
      return u;
    },
    patchBotUser: async (_actor: Session, id: string, change: { username?: string; displayName?: string }) => {
      const u = users.get(id)!;
      Object.assign(u, { username: change.username ?? u.username, first_name: change.displayName ?? u.first_name });
      return u;
    },
    setBotActive: async (id: string, active: boolean) => {
      activeChanges.push([id, active]);
      users.get(id)!.delete_at = active ? 0 : 1;
    },
    setBot: async (id: string, isBot: boolean) => {
      users.get(id)!.is_bot = isBot;
      return users.get(id)!;
    },
  };
  let dmId = 0;
  const channels = { createDirect: async () => ({ id: `dm${++dmId}` }) };
  const posts = {
    create: async (session: Session, input: { channel_id: string; type: string }) => {
      greetings.push({ from: session.user_id, to: input.channel_id, type: input.type });
    },
  };
  const tokens = { reopenSessions: async (id: string) => void reopened.push(id) };
  const service = new BotsService(
    bots as unknown as BotsRepository,
    access,
    usersService as unknown as UsersService,
    permissions,
    { get: () => config } as never,
    channels as unknown as ChannelsService,
    posts as unknown as PostsService,
    tokens as unknown as AccessTokensService,
  );
  const person = (username: string, roles = 'system_user') => {
    const u = testUserRow(username, { roles });
    users.set(u.id, u);
    return { user: u, session: { id: 's', user_id: u.id, roles, is_oauth: false, props: {} } as unknown as Session };
  };
  return { service, bots, users, person, greetings, activeChanges, reopened, access };
}

const errorOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return [(err as AppError).statusCode, (err as AppError).id];
  }
  throw new Error('expected an AppError');
};

describe('BotsService', () => {
  it('creates a bot for a caller with create_bot, and greets its owner', async () => {
    const t = setup();
    const admin = t.person('admin', 'system_user system_admin');
    const bot = await t.service.create(admin.session, { username: 'Helper', display_name: 'Helper', description: 'helps' });
    expect(bot).toMatchObject({ username: 'helper', display_name: 'Helper', description: 'helps', owner_id: admin.user.id, delete_at: 0 });
    expect(t.users.get(bot.user_id)).toMatchObject({ is_bot: true, email: 'helper@localhost' });
    expect(t.greetings).toEqual([{ from: bot.user_id, to: 'dm1', type: ADD_BOT_TEAMS_CHANNELS }]);
  });

  it('checks create_bot, then that the caller is no bot, then EnableBotAccountCreation', async () => {
    const off = setup(false);
    const admin = off.person('admin', 'system_user system_admin');
    const plain = off.person('plain');
    expect(await errorOf(off.service.create(plain.session, { username: 'x1x' }))).toEqual([403, 'api.context.permissions.app_error']);
    expect(await errorOf(off.service.create(admin.session, { username: 'x1x' }))).toEqual([403, 'api.bot.create_disabled']);

    const on = setup();
    const botAdmin = on.person('botadmin', 'system_user system_admin');
    on.users.get(botAdmin.user.id)!.is_bot = true;
    expect(await errorOf(on.service.create(botAdmin.session, { username: 'x1x' }))).toEqual([403, 'api.context.permissions.app_error']);
  });

  it('refuses a bad username and an over-long description before making anything', async () => {
    const t = setup();
    const admin = t.person('admin', 'system_user system_admin');
    expect(await errorOf(t.service.create(admin.session, { username: 'no spaces' }))).toEqual([400, 'model.bot.is_valid.username.app_error']);
    expect(await errorOf(t.service.create(admin.session, { username: 'okname', description: 'd'.repeat(1025) }))).toEqual([
      400,
      'model.bot.is_valid.description.app_error',
    ]);
    expect(t.users.size).toBe(1);
  });

  it("lets an owner with read_bots and manage_bots run their own bots, and hides everyone else's", async () => {
    const t = setup();
    const maker = t.person('maker', 'system_user bot_maker');
    const other = t.person('other', 'system_user bot_maker');
    const mine = await t.service.create(maker.session, { username: 'minebot' });
    const theirs = await t.service.create(other.session, { username: 'theirbot' });
    expect((await t.service.list(maker.session, { includeDeleted: false, onlyOrphaned: false, page: 0, perPage: 60 })).map((b) => b.user_id)).toEqual([
      mine.user_id,
    ]);
    expect((await t.service.patch(maker.session, mine.user_id, { description: 'd' })).description).toBe('d');
    expect(await errorOf(t.service.get(maker.session, theirs.user_id, false))).toEqual([404, 'store.sql_bot.get.missing.app_error']);
    expect(await errorOf(t.service.setActive(maker.session, theirs.user_id, false))).toEqual([404, 'store.sql_bot.get.missing.app_error']);
  });

  it('answers a reader of others’ bots with a permission error when it may not manage them', async () => {
    const t = setup();
    const admin = t.person('admin', 'system_user system_admin');
    const reader = t.person('reader', 'system_user bot_reader');
    const bot = await t.service.create(admin.session, { username: 'adminbot' });
    expect((await t.service.get(reader.session, bot.user_id, false)).user_id).toBe(bot.user_id);
    expect(await errorOf(t.service.patch(reader.session, bot.user_id, { description: 'x' }))).toEqual([403, 'api.context.permissions.app_error']);
    expect(await errorOf(t.service.list(t.person('nobody').session, { includeDeleted: false, onlyOrphaned: false, page: 0, perPage: 60 }))).toEqual([
      403,
      'api.context.permissions.app_error',
    ]);
  });

  it('disables the bot with its user and enables it with its tokens', async () => {
    const t = setup();
    const admin = t.person('admin', 'system_user system_admin');
    const bot = await t.service.create(admin.session, { username: 'toggle' });
    const disabled = await t.service.setActive(admin.session, bot.user_id, false);
    expect(disabled.delete_at).toBeGreaterThan(0);
    expect(await t.service.setActive(admin.session, bot.user_id, false)).toEqual(disabled);
    expect(await errorOf(t.service.get(admin.session, bot.user_id, false))).toEqual([404, 'store.sql_bot.get.missing.app_error']);
    expect((await t.service.setActive(admin.session, bot.user_id, true)).delete_at).toBe(0);
    expect(t.activeChanges).toEqual([
      [bot.user_id, false],
      [bot.user_id, true],
    ]);
    expect(t.reopened).toEqual([bot.user_id]);
  });

  it('assigns a bot to a person, never to a bot', async () => {
    const t = setup();
    const admin = t.person('admin', 'system_user system_admin');
    const alice = t.person('alice');
    const bot = await t.service.create(admin.session, { username: 'movable' });
    const other = await t.service.create(admin.session, { username: 'another' });
    expect((await t.service.assign(admin.session, bot.user_id, alice.user.id)).owner_id).toBe(alice.user.id);
    expect(await errorOf(t.service.assign(admin.session, bot.user_id, other.user_id))).toEqual([403, 'api.context.permissions.app_error']);
  });

  it('converts a user into a bot it owns, once, for manage_system only', async () => {
    const t = setup();
    const admin = t.person('admin', 'system_user system_admin');
    const carl = t.person('carl');
    expect(await errorOf(t.service.convertUserToBot(carl.session, carl.user.id))).toEqual([403, 'api.context.permissions.app_error']);
    expect(await t.service.convertUserToBot(admin.session, carl.user.id)).toMatchObject({
      user_id: carl.user.id,
      owner_id: carl.user.id,
      display_name: 'carl',
    });
    expect(t.users.get(carl.user.id)!.is_bot).toBe(true);
    expect(await errorOf(t.service.convertUserToBot(admin.session, carl.user.id))).toEqual([400, 'app.bot.createbot.internal_error']);
  });

  it('BotAccess lets a bot’s manager act for it, and others only for themselves (or with edit_other_users)', async () => {
    const t = setup();
    const maker = t.person('maker', 'system_user bot_maker');
    const plain = t.person('plain');
    const bot = await t.service.create(maker.session, { username: 'managed' });
    expect(await t.access.canActFor(maker.session, bot.user_id)).toBe(true);
    expect(await t.access.canActFor(plain.session, bot.user_id)).toBe(false);
    expect(await t.access.canActFor(plain.session, plain.user.id)).toBe(true);
    expect(await t.access.canActFor(plain.session, maker.user.id)).toBe(false);
    expect(await t.access.canActFor(t.person('root', 'system_user system_admin').session, maker.user.id)).toBe(true);
  });
});

describe('isSvg', () => {
  it.each([
    ['<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', true],
    ['\uFEFF<?xml version="1.0"?>\n<!-- made by hand -->\n<!DOCTYPE svg>\n<svg viewBox="0 0 1 1"/>', true],
    ['<svg>\n</svg>\n', true],
    ['<html><svg></svg></html>', false],
    ['\x89PNG\r\n', false],
    ['<svgx></svgx>', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(isSvg(Buffer.from(text))).toBe(expected);
  });
});
