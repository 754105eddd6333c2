import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, ChannelMembership } from '@mattermost/types/channels';
import type { ChannelCategory } from '@mattermost/types/channel_categories';
import type { PreferenceType } from '@mattermost/types/preferences';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, NewUser, startServer, TestServer, TestSocket } from '#testing';

let server: TestServer;
let admin: NewUser;
let alice: NewUser;
let bob: NewUser;
let carol: NewUser;
let team: Team;
let pub: Channel;
let priv: Channel;
let aliceWs: TestSocket;

const byType = (categories: ChannelCategory[], type: string) => categories.find((c) => c.type === type)!;
const mine = (u: NewUser) => u.client.getChannelCategories(u.user.id, team.id);
const favoritePref = (u: NewUser, channelId: string, value = 'true'): PreferenceType => ({
  user_id: u.user.id,
  category: 'favorite_channel',
  name: channelId,
  value,
});

beforeAll(async () => {
  server = await startServer();
  admin = await server.newUser();
  alice = await server.newUser();
  bob = await server.newUser();
  carol = await server.newUser();
  team = await alice.client.createTeam({ name: `cats${Date.now()}`, display_name: 'Categories', type: 'O' } as Team);
  await alice.client.addToTeam(team.id, bob.user.id);
  pub = await alice.client.createChannel({ team_id: team.id, name: 'zeta-pub', display_name: 'Zeta', type: 'O' } as Channel);
  priv = await alice.client.createChannel({ team_id: team.id, name: 'alpha-priv', display_name: 'Alpha', type: 'P' } as Channel);
  aliceWs = await server.socket(alice.client);
});
afterAll(async () => {
  aliceWs?.close();
  await server?.stop();
});

describe('default categories', () => {
  it('gives a team member Favorites, Channels and Direct Messages, with every channel in Channels by name', async () => {
    const { categories, order } = await mine(alice);
    expect(categories.map((c) => c.type)).toEqual(['favorites', 'channels', 'direct_messages']);
    expect(order).toEqual(categories.map((c) => c.id));
    expect(order).toEqual([`favorites_${alice.user.id}_${team.id}`, `channels_${alice.user.id}_${team.id}`, `direct_messages_${alice.user.id}_${team.id}`]);
    const channels = byType(categories, 'channels');
    expect(channels).toEqual({
      id: `channels_${alice.user.id}_${team.id}`,
      user_id: alice.user.id,
      team_id: team.id,
      sort_order: 10,
      sorting: '',
      type: 'channels',
      display_name: 'Channels',
      muted: false,
      collapsed: false,
      channel_ids: expect.any(Array),
    });
    // Alpha before Off-Topic, Town Square and Zeta: unplaced channels come by display name.
    const names = new Map((await alice.client.getMyChannels(team.id)).map((c) => [c.id, c.display_name]));
    expect(channels.channel_ids.map((id) => names.get(id))).toEqual(['Alpha', 'Off-Topic', 'Town Square', 'Zeta']);
    expect(byType(categories, 'direct_messages').sorting).toBe('recent');
    expect(byType(categories, 'favorites').channel_ids).toEqual([]);
    expect(await alice.client.getChannelCategoryOrder(alice.user.id, team.id)).toEqual(order);
  });

  it('shows a new channel in Channels and a new DM in Direct Messages (on every team)', async () => {
    const fresh = await alice.client.createChannel({ team_id: team.id, name: 'fresh', display_name: 'Fresh', type: 'O' } as Channel);
    const dm = await alice.client.createDirectChannel([alice.user.id, carol.user.id]);
    const { categories } = await mine(alice);
    expect(byType(categories, 'channels').channel_ids).toContain(fresh.id);
    expect(byType(categories, 'direct_messages').channel_ids).toContain(dm.id);
    const other = await alice.client.createTeam({ name: `other${Date.now()}`, display_name: 'Other', type: 'O' } as Team);
    const there = await alice.client.getChannelCategories(alice.user.id, other.id);
    expect(byType(there.categories, 'direct_messages').channel_ids).toContain(dm.id);
    expect(byType(there.categories, 'channels').channel_ids).not.toContain(fresh.id);
  });

  it('answers empty lists to someone not on the team, as Mattermost', async () => {
    expect(await carol.client.getChannelCategories(carol.user.id, team.id)).toEqual({ categories: [], order: [] });
    expect(await carol.client.getChannelCategoryOrder(carol.user.id, team.id)).toEqual([]);
  });

  it('reads one category, with the unplaced channels where they belong', async () => {
    const id = `channels_${alice.user.id}_${team.id}`;
    const one = await alice.client.getChannelCategory(alice.user.id, team.id, id);
    expect(one.id).toBe(id);
    expect(one.channel_ids).toContain(pub.id);
    const bad = await expectClientError(() => alice.client.getChannelCategory(alice.user.id, team.id, 'not-a-category'));
    expect(bad.status_code).toBe(400);
    expect(bad.server_error_id).toBe('api.context.invalid_url_param.app_error');
  });
});

describe('custom categories', () => {
  it('creates one after Favorites, moving the given channels into it and dropping channels the user is not in', async () => {
    const bobOnly = await bob.client.createChannel({ team_id: team.id, name: 'bob-only', display_name: 'Bob only', type: 'P' } as Channel);
    const created = await alice.client.createChannelCategory(alice.user.id, team.id, {
      user_id: alice.user.id,
      team_id: team.id,
      display_name: 'Work',
      channel_ids: [pub.id, bobOnly.id],
    });
    expect(created).toMatchObject({ user_id: alice.user.id, team_id: team.id, type: 'custom', display_name: 'Work', sort_order: 10, channel_ids: [pub.id] });
    const event = await aliceWs.waitFor('sidebar_category_created', (e) => e.data.category_id === created.id);
    expect(event.broadcast).toMatchObject({ user_id: alice.user.id, team_id: team.id });

    const { categories, order } = await mine(alice);
    expect(categories.map((c) => c.type)).toEqual(['favorites', 'custom', 'channels', 'direct_messages']);
    expect(order[1]).toBe(created.id);
    expect(byType(categories, 'channels').channel_ids).not.toContain(pub.id);
    expect(byType(categories, 'custom').channel_ids).toEqual([pub.id]);
  });

  it('answers null channel_ids for a category created empty, as Mattermost', async () => {
    const created = await alice.client.createChannelCategory(alice.user.id, team.id, { user_id: alice.user.id, team_id: team.id, display_name: 'Empty' });
    expect(created.channel_ids).toBeNull();
    await alice.client.deleteChannelCategory(alice.user.id, team.id, created.id);
  });

  it('refuses a body for another user or team, and a channel list that is not strings', async () => {
    const wrongUser = await expectClientError(() =>
      alice.client.createChannelCategory(alice.user.id, team.id, { user_id: bob.user.id, team_id: team.id, display_name: 'x' }),
    );
    expect(wrongUser.status_code).toBe(400);
    expect(wrongUser.server_error_id).toBe('api.context.invalid_body_param.app_error');
    const badIds = await expectClientError(() =>
      alice.client.createChannelCategory(alice.user.id, team.id, { user_id: alice.user.id, team_id: team.id, channel_ids: [1] as any }),
    );
    expect(badIds.status_code).toBe(400);
  });

  it('updates one through PUT /{id}: renames, sorts and collapses it; the event carries the categories as a JSON string', async () => {
    const work = byType((await mine(alice)).categories, 'custom');
    const updated = await alice.client.updateChannelCategory(alice.user.id, team.id, {
      ...work,
      display_name: 'Work stuff',
      sorting: 'alpha' as ChannelCategory['sorting'],
      collapsed: true,
    });
    expect(updated).toMatchObject({ id: work.id, display_name: 'Work stuff', sorting: 'alpha', collapsed: true, channel_ids: [pub.id] });
    const event = await aliceWs.waitFor(
      'sidebar_category_updated',
      (e) => typeof e.data.updatedCategories === 'string' && e.data.updatedCategories.includes('Work stuff'),
    );
    expect(event.broadcast).toMatchObject({ user_id: alice.user.id, team_id: team.id });
    expect(JSON.parse(event.data.updatedCategories as string)).toEqual([updated]);
    expect(await alice.client.getChannelCategory(alice.user.id, team.id, work.id)).toEqual(updated);
  });

  it('keeps the name of a default category and its type', async () => {
    const channels = byType((await mine(alice)).categories, 'channels');
    const updated = await alice.client.updateChannelCategory(alice.user.id, team.id, { ...channels, display_name: 'Renamed', type: 'custom' as any });
    expect(updated.display_name).toBe('Channels');
    expect(updated.type).toBe('channels');
  });

  it('moves a channel between categories with one PUT of both', async () => {
    const { categories } = await mine(alice);
    const work = byType(categories, 'custom');
    const channels = byType(categories, 'channels');
    const moved = await alice.client.updateChannelCategories(alice.user.id, team.id, [
      { ...work, channel_ids: [...work.channel_ids, priv.id] },
      { ...channels, channel_ids: channels.channel_ids.filter((id) => id !== priv.id) },
    ]);
    expect(moved.map((c) => c.id)).toEqual([work.id, channels.id]);
    expect(moved[0].channel_ids).toEqual([pub.id, priv.id]);
    const after = await mine(alice);
    expect(byType(after.categories, 'custom').channel_ids).toEqual([pub.id, priv.id]);
    expect(byType(after.categories, 'channels').channel_ids).not.toContain(priv.id);
  });

  it('reorders categories, and refuses an order that is not a permutation', async () => {
    const order = await alice.client.getChannelCategoryOrder(alice.user.id, team.id);
    const reversed = [...order].reverse();
    expect(await alice.client.updateChannelCategoryOrder(alice.user.id, team.id, reversed)).toEqual(reversed);
    const event = await aliceWs.waitFor('sidebar_category_order_updated', (e) => JSON.stringify(e.data.order) === JSON.stringify(reversed));
    expect(event.broadcast.team_id).toBe(team.id);
    expect((await mine(alice)).order).toEqual(reversed);
    // sort_order is on the wire though @mattermost/types leaves it out.
    expect((await mine(alice)).categories.map((c) => (c as ChannelCategory & { sort_order: number }).sort_order)).toEqual([0, 10, 20, 30]);
    const short = await expectClientError(() => alice.client.updateChannelCategoryOrder(alice.user.id, team.id, reversed.slice(1)));
    expect(short.status_code).toBe(400);
    expect(short.server_error_id).toBe('app.channel.sidebar_categories.app_error');
    await alice.client.updateChannelCategoryOrder(alice.user.id, team.id, order);
  });

  it('deletes a custom category, its channels going back to Channels; default ones cannot be deleted', async () => {
    const work = byType((await mine(alice)).categories, 'custom');
    expect(await alice.client.deleteChannelCategory(alice.user.id, team.id, work.id)).toEqual({ status: 'OK' });
    await aliceWs.waitFor('sidebar_category_deleted', (e) => e.data.category_id === work.id);
    const { categories } = await mine(alice);
    expect(categories.map((c) => c.type)).toEqual(['favorites', 'channels', 'direct_messages']);
    expect(byType(categories, 'channels').channel_ids).toEqual(expect.arrayContaining([pub.id, priv.id]));
    const favorites = await expectClientError(() => alice.client.deleteChannelCategory(alice.user.id, team.id, `favorites_${alice.user.id}_${team.id}`));
    expect(favorites.status_code).toBe(400);
    expect(favorites.server_error_id).toBe('app.channel.sidebar_categories.app_error');
  });
});

describe('favourites and preferences', () => {
  it('moving a channel into Favorites saves the favorite_channel preference and announces it', async () => {
    const { categories } = await mine(alice);
    const favorites = byType(categories, 'favorites');
    const channels = byType(categories, 'channels');
    await alice.client.updateChannelCategories(alice.user.id, team.id, [
      { ...favorites, channel_ids: [pub.id] },
      { ...channels, channel_ids: channels.channel_ids.filter((id) => id !== pub.id) },
    ]);
    const prefs = (await alice.client.getMyPreferences()) as unknown as PreferenceType[];
    expect(prefs).toContainEqual(favoritePref(alice, pub.id));
    const event = await aliceWs.waitFor('preferences_changed', (e) => String(e.data.preferences).includes(pub.id));
    expect(JSON.parse(event.data.preferences as string)).toEqual([favoritePref(alice, pub.id)]);

    // ...and moving it out deletes it.
    const now = await mine(alice);
    await alice.client.updateChannelCategories(alice.user.id, team.id, [
      { ...byType(now.categories, 'favorites'), channel_ids: [] },
      { ...byType(now.categories, 'channels'), channel_ids: [pub.id, ...byType(now.categories, 'channels').channel_ids] },
    ]);
    const left = (await alice.client.getMyPreferences()) as unknown as PreferenceType[];
    expect(left.find((p) => p.category === 'favorite_channel' && p.name === pub.id)).toBeUndefined();
    await aliceWs.waitFor('preferences_deleted', (e) => String(e.data.preferences).includes(pub.id));
  });

  it('a favorite_channel preference saved through /preferences moves the channel into Favorites and out again', async () => {
    await alice.client.savePreferences(alice.user.id, [favoritePref(alice, priv.id)]);
    await aliceWs.waitFor('sidebar_category_updated', (e) => e.data.updatedCategories === undefined);
    let { categories } = await mine(alice);
    expect(byType(categories, 'favorites').channel_ids).toEqual([priv.id]);
    expect(byType(categories, 'channels').channel_ids).not.toContain(priv.id);

    await alice.client.savePreferences(alice.user.id, [favoritePref(alice, priv.id, 'false')]);
    ({ categories } = await mine(alice));
    expect(byType(categories, 'favorites').channel_ids).toEqual([]);
    expect(byType(categories, 'channels').channel_ids).toContain(priv.id);

    await alice.client.savePreferences(alice.user.id, [favoritePref(alice, pub.id)]);
    expect(byType((await mine(alice)).categories, 'favorites').channel_ids).toEqual([pub.id]);
    await alice.client.deletePreferences(alice.user.id, [favoritePref(alice, pub.id)]);
    expect(byType((await mine(alice)).categories, 'favorites').channel_ids).toEqual([]);
  });

  it('puts channels favourited before the categories existed into Favorites when they are made', async () => {
    const dave = await server.newUser();
    await alice.client.addToTeam(team.id, dave.user.id);
    await dave.client.addToChannel(dave.user.id, pub.id);
    await dave.client.savePreferences(dave.user.id, [favoritePref(dave, pub.id)]);
    const { categories } = await mine(dave);
    expect(byType(categories, 'favorites').channel_ids).toEqual([pub.id]);
  });
});

describe('muting', () => {
  it('muting a category mutes its channels (mark_unread mention), unmuting unmutes them', async () => {
    const channels = byType((await mine(bob)).categories, 'channels');
    const townSquare = await bob.client.getChannelByName(team.id, 'town-square');
    expect(channels.channel_ids).toContain(townSquare.id);
    const bobWs = await server.socket(bob.client);
    try {
      await bob.client.updateChannelCategory(bob.user.id, team.id, { ...channels, muted: true });
      const member = (await bob.client.getMyChannelMember(townSquare.id)) as ChannelMembership;
      expect(member.notify_props.mark_unread).toBe('mention');
      await bobWs.waitFor('channel_member_updated', (e) => JSON.parse(e.data.channelMember as string).channel_id === townSquare.id);
      await bob.client.updateChannelCategory(bob.user.id, team.id, { ...channels, muted: false });
      expect(((await bob.client.getMyChannelMember(townSquare.id)) as ChannelMembership).notify_props.mark_unread).toBe('all');
    } finally {
      bobWs.close();
    }
  });
});

describe('permissions', () => {
  it("refuses another user's categories to a plain user, with Mattermost's ids", async () => {
    const list = await expectClientError(() => bob.client.getChannelCategories(alice.user.id, team.id));
    expect(list.status_code).toBe(403);
    expect(list.server_error_id).toBe('api.context.permissions.app_error');
    const one = await expectClientError(() => bob.client.getChannelCategory(bob.user.id, team.id, `favorites_${alice.user.id}_${team.id}`));
    expect(one.status_code).toBe(403);
    const order = await expectClientError(() => bob.client.updateChannelCategoryOrder(bob.user.id, team.id, [`favorites_${alice.user.id}_${team.id}`]));
    expect(order.status_code).toBe(400);
    expect(order.server_error_id).toBe('api.context.invalid_body_param.app_error');
    const aliceChannels = byType((await mine(alice)).categories, 'channels');
    const update = await expectClientError(() => bob.client.updateChannelCategories(bob.user.id, team.id, [aliceChannels]));
    expect(update.status_code).toBe(400);
    const remove = await expectClientError(() => bob.client.deleteChannelCategory(alice.user.id, team.id, `favorites_${alice.user.id}_${team.id}`));
    expect(remove.status_code).toBe(403);
  });

  it('lets a system admin read and change them (edit_other_users)', async () => {
    const theirs = await admin.client.getChannelCategories(alice.user.id, team.id);
    expect(theirs.categories.map((c) => c.type)).toEqual(['favorites', 'channels', 'direct_messages']);
    const created = await admin.client.createChannelCategory(alice.user.id, team.id, { user_id: alice.user.id, team_id: team.id, display_name: 'By admin' });
    expect(created.user_id).toBe(alice.user.id);
    await admin.client.deleteChannelCategory(alice.user.id, team.id, created.id);
  });

  it('drops the categories of a user who leaves the team', async () => {
    const erin = await server.newUser();
    await alice.client.addToTeam(team.id, erin.user.id);
    const created = await erin.client.createChannelCategory(erin.user.id, team.id, { user_id: erin.user.id, team_id: team.id, display_name: 'Mine' });
    await erin.client.removeFromTeam(team.id, erin.user.id);
    await alice.client.addToTeam(team.id, erin.user.id);
    const { categories } = await mine(erin);
    expect(categories.map((c) => c.id)).not.toContain(created.id);
    expect(categories.map((c) => c.type)).toEqual(['favorites', 'channels', 'direct_messages']);
  });
});
