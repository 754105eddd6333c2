import { describe, expect, it, vi } from 'vitest';
import { memoryDatabase } from '#testing';
import { AppError } from '#common';
import { WsEvents } from '#realtime';
import { CategoriesTestbed } from './in-memory-categories.js';
import { Category, defaultCategoryId } from './category.model.js';
import { muteChanges } from './categories.service.js';

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

/** A team with alice on it, in a public channel, a private one and a DM with bob; carol is on no team. */
function world() {
  const t = new CategoriesTestbed();
  const { bed, service } = t;
  const team = bed.team();
  const alice = bed.user();
  const bob = bed.user();
  const carol = bed.user();
  const admin = bed.user('system_user system_admin');
  bed.joinTeam(team, alice.user.id);
  bed.joinTeam(team, bob.user.id);
  const zeta = bed.channel(team, 'O', 'zeta');
  const alpha = bed.channel(team, 'P', 'alpha');
  const dm = bed.channel('', 'D', 'dm');
  for (const c of [zeta, alpha, dm]) bed.joinChannel(c, alice.user.id);
  bed.joinChannel(dm, bob.user.id);
  const list = (who = alice) => service.list(who.session, who.user.id, team);
  const byType = async (type: string, who = alice) => (await list(who)).categories.find((c) => c.type === type)!;
  return { t, bed, service, team, alice, bob, carol, admin, zeta, alpha, dm, list, byType };
}

const body = (c: Category, over: Partial<Category> = {}) => ({ ...c, ...over });

describe('reading categories', () => {
  it('makes the three default categories for a team member, unplaced channels in Channels and DMs', async () => {
    const w = world();
    const { categories, order } = await w.list();
    expect(order).toEqual([
      defaultCategoryId('favorites', w.alice.user.id, w.team),
      defaultCategoryId('channels', w.alice.user.id, w.team),
      defaultCategoryId('direct_messages', w.alice.user.id, w.team),
    ]);
    expect(categories.map((c) => [c.type, c.sort_order, c.sorting, c.display_name])).toEqual([
      ['favorites', 0, '', 'Favorites'],
      ['channels', 10, '', 'Channels'],
      ['direct_messages', 20, 'recent', 'Direct Messages'],
    ]);
    expect(categories[1].channel_ids).toEqual([w.alpha.id, w.zeta.id]);
    expect(categories[2].channel_ids).toEqual([w.dm.id]);
    // Reading again makes nothing new.
    expect((await w.list()).order).toEqual(order);
    expect(w.t.categories.categories.size).toBe(3);
  });

  it('gives someone not on the team empty lists and makes nothing', async () => {
    const w = world();
    expect(await w.service.list(w.carol.session, w.carol.user.id, w.team)).toEqual({ categories: [], order: [] });
    expect(await w.service.getOrder(w.carol.session, w.carol.user.id, w.team)).toEqual([]);
    expect(w.t.categories.categories.size).toBe(0);
  });

  it("refuses another user's categories unless edit_other_users", async () => {
    const w = world();
    const err = await failure(w.service.list(w.bob.session, w.alice.user.id, w.team));
    expect([err.statusCode, err.id]).toEqual([403, 'api.context.permissions.app_error']);
    expect((await w.service.list(w.admin.session, w.alice.user.id, w.team)).categories).toHaveLength(3);
  });

  it('lets only the owner on that team (or edit_other_users) read one category', async () => {
    const w = world();
    await w.list();
    const id = defaultCategoryId('channels', w.alice.user.id, w.team);
    expect((await w.service.getOne(w.alice.session, w.alice.user.id, w.team, id)).channel_ids).toEqual([w.alpha.id, w.zeta.id]);
    expect((await failure(w.service.getOne(w.bob.session, w.bob.user.id, w.team, id))).statusCode).toBe(403);
    expect((await failure(w.service.getOne(w.alice.session, w.alice.user.id, w.bed.team(), id))).statusCode).toBe(403);
    expect((await failure(w.service.getOne(w.admin.session, w.alice.user.id, w.team, 'nonexistentcategoryid12345'))).statusCode).toBe(404);
  });

  it('moves channels favourited in preferences into Favorites when the defaults are made', async () => {
    const w = world();
    await w.t.preferences.upsert([{ user_id: w.alice.user.id, category: 'favorite_channel', name: w.zeta.id, value: 'true' }]);
    expect((await w.byType('favorites')).channel_ids).toEqual([w.zeta.id]);
    expect((await w.byType('channels')).channel_ids).toEqual([w.alpha.id]);
  });

  it('makes the defaults in one statement when there is no favourite to place, in a transaction when there is', async () => {
    const transaction = vi.spyOn(memoryDatabase, 'transaction');
    try {
      const w = world();
      await w.list(w.bob);
      expect(transaction).not.toHaveBeenCalled();
      await w.t.preferences.upsert([{ user_id: w.alice.user.id, category: 'favorite_channel', name: w.zeta.id, value: 'true' }]);
      await w.list();
      expect(transaction).toHaveBeenCalledTimes(1);
    } finally {
      transaction.mockRestore();
    }
  });
});

describe('custom categories', () => {
  it('are placed after Favorites and take the channels the user may place', async () => {
    const w = world();
    const other = w.bed.channel(w.team, 'O', 'not-mine');
    const created = await w.service.create(w.alice.session, w.alice.user.id, w.team, {
      user_id: w.alice.user.id,
      team_id: w.team,
      display_name: 'Work',
      channel_ids: [w.zeta.id, other.id],
    });
    expect(created).toMatchObject({ type: 'custom', sort_order: 10, channel_ids: [w.zeta.id] });
    const { categories } = await w.list();
    expect(categories.map((c) => c.type)).toEqual(['favorites', 'custom', 'channels', 'direct_messages']);
    expect(categories.map((c) => c.sort_order)).toEqual([0, 10, 20, 30]);
    expect(categories[2].channel_ids).toEqual([w.alpha.id]);
    const event = w.bed.events.find((e) => e.event === WsEvents.SidebarCategoryCreated)!;
    expect(event.data).toEqual({ category_id: created.id });
    expect(event.broadcast).toMatchObject({ user_id: w.alice.user.id, team_id: w.team });
  });

  it('go first when Favorites is not first', async () => {
    const w = world();
    const order = (await w.list()).order;
    await w.service.updateOrder(w.alice.session, w.alice.user.id, w.team, [order[1], order[0], order[2]]);
    const created = await w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.alice.user.id, team_id: w.team, display_name: 'X' });
    expect(created.sort_order).toBe(0);
    expect(created.channel_ids).toBeNull();
    expect((await w.list()).order[0]).toBe(created.id);
  });

  it('refuse a body naming another user or team, and someone with no channels on the team', async () => {
    const w = world();
    const wrong = await failure(w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.bob.user.id, team_id: w.team }));
    expect([wrong.statusCode, wrong.id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const none = await failure(w.service.create(w.carol.session, w.carol.user.id, w.team, { user_id: w.carol.user.id, team_id: w.team }));
    expect([none.statusCode, none.id]).toEqual([400, 'api.invalid_channel']);
    const badSorting = await failure(
      w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.alice.user.id, team_id: w.team, sorting: 'weird' }),
    );
    expect(badSorting.statusCode).toBe(400);
  });

  it('can be deleted, their channels going back to Channels; default ones cannot', async () => {
    const w = world();
    const created = await w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.alice.user.id, team_id: w.team, channel_ids: [w.zeta.id] });
    await w.service.remove(w.alice.session, w.alice.user.id, w.team, created.id);
    expect((await w.byType('channels')).channel_ids).toEqual([w.alpha.id, w.zeta.id]);
    const fav = await failure(w.service.remove(w.alice.session, w.alice.user.id, w.team, defaultCategoryId('favorites', w.alice.user.id, w.team)));
    expect([fav.statusCode, fav.id]).toEqual([400, 'app.channel.sidebar_categories.app_error']);
    expect(w.bed.events.some((e) => e.event === WsEvents.SidebarCategoryDeleted && e.data.category_id === created.id)).toBe(true);
  });
});

describe('updating categories', () => {
  it('keeps type, owner, position and the name of default categories', async () => {
    const w = world();
    const channels = await w.byType('channels');
    const [updated] = await w.service.updateMany(w.alice.session, w.alice.user.id, w.team, [
      body(channels, { display_name: 'Mine', type: 'custom', sort_order: 99, sorting: 'alpha', collapsed: true }),
    ]);
    expect(updated).toMatchObject({ type: 'channels', display_name: 'Channels', sort_order: 10, sorting: 'alpha', collapsed: true });
    const event = w.bed.events.find((e) => e.event === WsEvents.SidebarCategoryUpdated)!;
    expect(JSON.parse(event.data.updatedCategories as string)).toEqual([updated]);
  });

  it("refuses with 400 a category that is not the caller's on this team", async () => {
    const w = world();
    const aliceChannels = await w.byType('channels');
    const err = await failure(w.service.updateMany(w.bob.session, w.bob.user.id, w.team, [aliceChannels]));
    expect([err.statusCode, err.id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const one = await failure(w.service.updateOne(w.bob.session, w.bob.user.id, w.team, aliceChannels.id, aliceChannels));
    expect(one.statusCode).toBe(403);
  });

  it('drops channels the user is not in, and keeps a channel in one category per team', async () => {
    const w = world();
    const foreign = w.bed.channel(w.team, 'O', 'foreign');
    const custom = await w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.alice.user.id, team_id: w.team, channel_ids: [w.zeta.id] });
    // Only the Favorites category is sent: zeta still leaves the custom one.
    const favorites = await w.byType('favorites');
    await w.service.updateMany(w.alice.session, w.alice.user.id, w.team, [body(favorites, { channel_ids: [w.zeta.id, foreign.id] })]);
    const { categories } = await w.list();
    expect(categories.find((c) => c.id === custom.id)!.channel_ids).toEqual([]);
    expect(categories[0].channel_ids).toEqual([w.zeta.id]);
  });

  it('writes and deletes favorite_channel preferences as channels enter and leave Favorites, with their events', async () => {
    const w = world();
    const favorites = await w.byType('favorites');
    const channels = await w.byType('channels');
    await w.service.updateMany(w.alice.session, w.alice.user.id, w.team, [
      body(favorites, { channel_ids: [w.alpha.id] }),
      body(channels, { channel_ids: [w.zeta.id] }),
    ]);
    expect([...w.t.preferences.rows.values()]).toEqual([{ user_id: w.alice.user.id, category: 'favorite_channel', name: w.alpha.id, value: 'true' }]);
    expect(w.bed.events.filter((e) => e.event === WsEvents.PreferencesChanged).map((e) => JSON.parse(e.data.preferences as string)[0].name)).toEqual([
      w.alpha.id,
    ]);
    await w.service.updateMany(w.alice.session, w.alice.user.id, w.team, [
      body(favorites, { channel_ids: [] }),
      body(channels, { channel_ids: [w.alpha.id, w.zeta.id] }),
    ]);
    expect(w.t.preferences.rows.size).toBe(0);
    expect(w.bed.events.filter((e) => e.event === WsEvents.PreferencesDeleted)).toHaveLength(1);
  });

  it('mutes the channels of a muted category and of channels moved into it, and unmutes them again', async () => {
    const w = world();
    const custom = await w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.alice.user.id, team_id: w.team, channel_ids: [w.zeta.id] });
    const markUnread = async (channelId: string) => (await w.bed.channelMembers.get(channelId, w.alice.user.id))!.notify_props.mark_unread;
    await w.service.updateOne(w.alice.session, w.alice.user.id, w.team, custom.id, body(custom, { muted: true, channel_ids: [w.zeta.id] }));
    expect(await markUnread(w.zeta.id)).toBe('mention');
    expect(await markUnread(w.alpha.id)).toBe('all');
    expect(w.bed.events.some((e) => e.event === WsEvents.ChannelMemberUpdated && e.broadcast.user_id === w.alice.user.id)).toBe(true);

    const channels = await w.byType('channels');
    const muted = (await w.list()).categories.find((c) => c.id === custom.id)!;
    await w.service.updateMany(w.alice.session, w.alice.user.id, w.team, [
      body(muted, { channel_ids: [w.zeta.id, w.alpha.id] }),
      body(channels, { channel_ids: [] }),
    ]);
    expect(await markUnread(w.alpha.id)).toBe('mention');
    await w.service.updateOne(w.alice.session, w.alice.user.id, w.team, custom.id, body(muted, { muted: false, channel_ids: [w.zeta.id, w.alpha.id] }));
    expect(await markUnread(w.zeta.id)).toBe('all');
    expect(await markUnread(w.alpha.id)).toBe('all');
  });

  it('does not mute Direct Messages', async () => {
    const w = world();
    const dms = await w.byType('direct_messages');
    const [updated] = await w.service.updateMany(w.alice.session, w.alice.user.id, w.team, [body(dms, { muted: true })]);
    expect(updated.muted).toBe(false);
    expect(updated.channel_ids).toEqual([w.dm.id]);
  });
});

describe('muteChanges', () => {
  const cat = (id: string, muted: boolean, channel_ids: string[]) => ({ id, muted, channel_ids }) as Category;
  it('mutes a newly muted category and channels moved from an unmuted to a muted one', () => {
    expect(muteChanges([cat('a', true, ['1', '2'])], [cat('a', false, ['1', '2'])])).toEqual({ mute: ['1', '2'], unmute: [] });
    expect(muteChanges([cat('a', false, []), cat('b', true, ['1'])], [cat('a', false, ['1']), cat('b', true, [])])).toEqual({ mute: ['1'], unmute: [] });
    expect(muteChanges([cat('a', false, ['1']), cat('b', true, [])], [cat('a', false, []), cat('b', true, ['1'])])).toEqual({ mute: [], unmute: ['1'] });
  });
});

describe('the order', () => {
  it('must be a permutation of the categories, each the caller may access', async () => {
    const w = world();
    const order = (await w.list()).order;
    const short = await failure(w.service.updateOrder(w.alice.session, w.alice.user.id, w.team, order.slice(1)));
    expect([short.statusCode, short.id]).toEqual([400, 'app.channel.sidebar_categories.app_error']);
    const foreign = await failure(w.service.updateOrder(w.bob.session, w.bob.user.id, w.team, order));
    expect([foreign.statusCode, foreign.id]).toEqual([400, 'api.context.invalid_body_param.app_error']);
    const reversed = [...order].reverse();
    expect(await w.service.updateOrder(w.alice.session, w.alice.user.id, w.team, reversed)).toEqual(reversed);
    expect((await w.list()).order).toEqual(reversed);
    const event = w.bed.events.find((e) => e.event === WsEvents.SidebarCategoryOrderUpdated)!;
    expect(event.data).toEqual({ order: reversed });
  });
});

describe('favourites saved as preferences', () => {
  it('move the channel into Favorites (out of its category) and out again, announcing sidebar_category_updated', async () => {
    const w = world();
    const custom = await w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.alice.user.id, team_id: w.team, channel_ids: [w.zeta.id] });
    await w.service.preferencesSaved(w.alice.user.id, [{ user_id: w.alice.user.id, category: 'favorite_channel', name: w.zeta.id, value: 'true' }]);
    let { categories } = await w.list();
    expect(categories[0].channel_ids).toEqual([w.zeta.id]);
    expect(categories.find((c) => c.id === custom.id)!.channel_ids).toEqual([]);
    const event = w.bed.events.filter((e) => e.event === WsEvents.SidebarCategoryUpdated).at(-1)!;
    expect(event.data).toEqual({});
    expect(event.broadcast).toMatchObject({ user_id: w.alice.user.id, team_id: '' });

    await w.service.preferencesSaved(w.alice.user.id, [{ user_id: w.alice.user.id, category: 'favorite_channel', name: w.zeta.id, value: 'false' }]);
    ({ categories } = await w.list());
    expect(categories[0].channel_ids).toEqual([]);
    expect(categories.find((c) => c.type === 'channels')!.channel_ids).toEqual([w.alpha.id, w.zeta.id]);
  });

  it('put a favourite DM first in Favorites on every team, and a deleted favourite leaves', async () => {
    const w = world();
    const other = w.bed.team();
    w.bed.joinTeam(other, w.alice.user.id);
    await w.list();
    await w.service.list(w.alice.session, w.alice.user.id, other);
    await w.service.preferencesSaved(w.alice.user.id, [{ user_id: w.alice.user.id, category: 'favorite_channel', name: w.alpha.id, value: 'true' }]);
    await w.service.preferencesSaved(w.alice.user.id, [{ user_id: w.alice.user.id, category: 'favorite_channel', name: w.dm.id, value: 'true' }]);
    expect((await w.byType('favorites')).channel_ids).toEqual([w.dm.id, w.alpha.id]);
    const there = await w.service.list(w.alice.session, w.alice.user.id, other);
    expect(there.categories[0].channel_ids).toEqual([w.dm.id]);
    await w.service.preferencesDeleted(w.alice.user.id, [{ category: 'favorite_channel', name: w.dm.id }]);
    expect((await w.byType('favorites')).channel_ids).toEqual([w.alpha.id]);
    expect((await w.byType('direct_messages')).channel_ids).toEqual([w.dm.id]);
  });

  it('skip a favourite naming no channel, or a channel the user is not in', async () => {
    const w = world();
    await w.list();
    const notMine = w.bed.channel(w.team, 'O', 'not-mine');
    await w.service.preferencesSaved(w.alice.user.id, [{ user_id: w.alice.user.id, category: 'favorite_channel', name: notMine.id, value: 'true' }]);
    expect((await w.byType('favorites')).channel_ids).toEqual([]);
    await w.service.preferencesSaved(w.alice.user.id, [
      { user_id: w.alice.user.id, category: 'favorite_channel', name: 'nochannelwiththisid1234567', value: 'true' },
    ]);
    expect((await w.byType('favorites')).channel_ids).toEqual([]);
  });
});

describe('leaving a team', () => {
  it('drops the categories there', async () => {
    const w = world();
    await w.service.create(w.alice.session, w.alice.user.id, w.team, { user_id: w.alice.user.id, team_id: w.team, channel_ids: [w.zeta.id] });
    await w.service.teamLeft(w.alice.user.id, w.team);
    expect(w.t.categories.categories.size).toBe(0);
    expect(w.t.categories.links).toEqual([]);
  });
});
