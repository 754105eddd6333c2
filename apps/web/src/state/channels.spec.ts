import type { ChannelCategory } from '@mattermost/types/channel_categories';
import type { Channel } from '@mattermost/types/channels';
import type { UserProfile } from '@mattermost/types/users';
import { describe, expect, it } from 'vitest';
import {
  categoryChanged,
  categoryOfChannel,
  channelLabel,
  collapsedItems,
  homeCategory,
  moveTargets,
  withChannelFirst,
  directChannelName,
  groupLabel,
  directPartnerId,
  initialChannels,
  myChannelByName,
  receivedCategories,
  receivedMyChannel,
  receivedMyChannels,
  sidebarSections,
} from './channels';

const ME = 'me000000000000000000000000';
const BOB = 'bob00000000000000000000000';
const channel = (id: string, name: string, type: Channel['type'] = 'O', extra: Partial<Channel> = {}): Channel =>
  ({ id, name, display_name: name.toUpperCase(), type, team_id: type === 'D' || type === 'G' ? '' : 't1', delete_at: 0, last_post_at: 0, ...extra }) as Channel;
const category = (id: string, type: ChannelCategory['type'], display_name: string, channel_ids: string[], sorting = ''): ChannelCategory =>
  ({ id, type, display_name, channel_ids, sorting, team_id: 't1', user_id: ME, muted: false, collapsed: false }) as unknown as ChannelCategory;
const profiles = { [BOB]: { id: BOB, username: 'bob' } as UserProfile };

const dm = channel('dm', directChannelName(ME, BOB), 'D', { display_name: '' });
const mine = receivedMyChannels(initialChannels, 't1', [
  channel('ts', 'town-square'),
  channel('ot', 'off-topic'),
  channel('old', 'archived', 'O', { delete_at: 5 }),
  channel('pr', 'secret', 'P'),
  dm,
]);

describe('channels', () => {
  it('finds my channels by URL name within a team', () => {
    expect(myChannelByName(mine, 't1', 'off-topic')?.id).toBe('ot');
    expect(myChannelByName(mine, 't2', 'off-topic')).toBeUndefined();
  });

  it('names a direct channel as the server does and finds the partner', () => {
    expect(directChannelName(BOB, ME)).toBe(directChannelName(ME, BOB));
    expect(directPartnerId(dm, ME)).toBe(BOB);
    expect(directPartnerId({ name: directChannelName(ME, ME) }, ME)).toBe(ME);
  });

  it('adds a joined channel to the team once', () => {
    const joined = receivedMyChannel(mine, 't1', channel('new', 'new'));
    expect(receivedMyChannel(joined, 't1', channel('new', 'new')).myByTeam.t1).toEqual(['ts', 'ot', 'old', 'pr', 'dm', 'new']);
  });
});

describe('sidebarSections', () => {
  it('shows the categories in the user order, sorted as each says, without archived channels or an empty Favourites', () => {
    const state = receivedCategories(mine, 't1', {
      order: ['fav', 'chan', 'dms'],
      categories: [
        category('dms', 'direct_messages', 'Direct Messages', ['dm']),
        category('fav', 'favorites', 'Favorites', []),
        category('chan', 'channels', 'Channels', ['ts', 'ot', 'old', 'pr'], 'alpha'),
      ],
    });
    const sections = sidebarSections(state, 't1', 'acme', ME, profiles);
    expect(sections.map((s) => [s.title, s.items.map((i) => i.label)])).toEqual([
      ['Channels', ['OFF-TOPIC', 'SECRET', 'TOWN-SQUARE']],
      ['Direct Messages', ['bob']],
    ]);
    expect(sections[0]!.items[0]!.route).toEqual({ screen: 'channel', team: 'acme', channel: 'off-topic' });
    expect(sections[1]!.items[0]!.route).toEqual({ screen: 'direct', team: 'acme', username: 'bob' });
  });

  it('keeps a manual order and sorts recent ones by their last post', () => {
    const recent = receivedMyChannels(initialChannels, 't1', [channel('a', 'a', 'O', { last_post_at: 1 }), channel('b', 'b', 'O', { last_post_at: 2 })]);
    const manual = receivedCategories(recent, 't1', { order: ['c'], categories: [category('c', 'custom', 'Mine', ['a', 'b'])] });
    expect(sidebarSections(manual, 't1', 'acme', ME, {})[0]!.items.map((i) => i.id)).toEqual(['a', 'b']);
    const byRecency = receivedCategories(recent, 't1', { order: ['c'], categories: [category('c', 'custom', 'Mine', ['a', 'b'], 'recent')] });
    expect(sidebarSections(byRecency, 't1', 'acme', ME, {})[0]!.items.map((i) => i.id)).toEqual(['b', 'a']);
  });

  it('shows channels that no category lists by their type, so that none goes missing', () => {
    const sections = sidebarSections(mine, 't1', 'acme', ME, {});
    expect(sections.map((s) => [s.title, s.items.map((i) => i.id)])).toEqual([
      ['Channels', ['ot', 'pr', 'ts']],
      ['Direct Messages', ['dm']],
    ]);
    // Without the partner's profile: the DM is reached by its channel name.
    expect(sections[1]!.items[0]!.route).toEqual({ screen: 'channel', team: 'acme', channel: dm.name });
  });
});

describe('group messages', () => {
  it('are named after the other members and lead to /{team}/messages/{name}', () => {
    expect(groupLabel('alice, bob, me', 'me')).toBe('alice, bob');
    expect(groupLabel('', 'me')).toBe('Group message');
    const gm = channel('gm', 'f'.repeat(40), 'G', { display_name: 'bob, carl, me' });
    const profilesWithMe = { ...profiles, [ME]: { id: ME, username: 'me' } as UserProfile };
    expect(channelLabel(gm, ME, profilesWithMe)).toBe('bob, carl');
    const sections = sidebarSections(receivedMyChannels(initialChannels, 't1', [gm]), 't1', 'acme', ME, profilesWithMe);
    expect(sections[0]?.items[0]?.route).toEqual({ screen: 'group', team: 'acme', channel: 'f'.repeat(40) });
  });
});

describe('custom categories', () => {
  const withCustom = receivedCategories(mine, 't1', {
    order: ['fav', 'mine', 'chan', 'dms'],
    categories: [
      category('fav', 'favorites', 'Favorites', ['pr']),
      category('mine', 'custom', 'Projects', ['ot']),
      category('chan', 'channels', 'Channels', ['ts']),
      category('dms', 'direct_messages', 'Direct Messages', ['dm']),
    ],
  });

  it('finds the category that holds a channel, and the default one it goes back to', () => {
    expect(categoryOfChannel(withCustom, 't1', 'ot')?.id).toBe('mine');
    expect(categoryOfChannel(withCustom, 't1', 'nope')).toBeUndefined();
    expect(homeCategory(withCustom, 't1', { type: 'P' })?.id).toBe('chan');
    expect(homeCategory(withCustom, 't1', { type: 'G' })?.id).toBe('dms');
  });

  it('offers to move a channel anywhere but its own category, Favorites and the other kind of default', () => {
    const all = withCustom.categories.t1!;
    expect(moveTargets(all, { type: 'O' }, 'chan').map((c) => c.id)).toEqual(['mine']);
    expect(moveTargets(all, { type: 'D' }, 'dms').map((c) => c.id)).toEqual(['mine']);
    expect(moveTargets(all, { type: 'P' }, 'fav').map((c) => c.id)).toEqual(['mine', 'chan']);
  });

  it('moves a channel to the top of a category once', () => {
    const target = categoryOfChannel(withCustom, 't1', 'ts')!;
    expect(withChannelFirst({ ...target, channel_ids: ['a', 'ts', 'b'] }, 'ts').channel_ids).toEqual(['ts', 'a', 'b']);
    expect(withChannelFirst(target, 'ot').channel_ids).toEqual(['ot', 'ts']);
  });

  it('collapses a category optimistically and keeps its section linked to it', () => {
    const mineCategory = categoryOfChannel(withCustom, 't1', 'ot')!;
    const collapsed = categoryChanged(withCustom, 't1', { ...mineCategory, collapsed: true });
    const section = sidebarSections(collapsed, 't1', 'acme', ME, profiles).find((s) => s.id === 'mine')!;
    expect(section.category?.collapsed).toBe(true);
    expect(categoryChanged(withCustom, 't2', mineCategory)).toBe(withCustom);
  });

  it('keeps only the open and the unread channels of a collapsed category in view', () => {
    const items = sidebarSections(withCustom, 't1', 'acme', ME, profiles).flatMap((s) => s.items);
    const unread = new Set(['dm']);
    expect(collapsedItems(items, 'ts', (id) => unread.has(id)).map((i) => i.id)).toEqual(['ts', 'dm']);
  });
});
