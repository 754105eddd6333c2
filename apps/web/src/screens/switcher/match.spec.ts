import { describe, expect, it } from 'vitest';
import type { SidebarItem } from '../../state/channels';
import { switcherMatches } from './match';

const item = (label: string): SidebarItem => ({ id: label, label, type: 'O', route: { screen: 'channel', team: 't', channel: label } });
const items = ['Town Square', 'Off-Topic', 'bob', 'Project Alpha', 'alpha-beta'].map(item);

describe('switcherMatches', () => {
  it('puts names with a word starting with the term first, then names containing it', () => {
    expect(switcherMatches(items, 'al').map((i) => i.label)).toEqual(['Project Alpha', 'alpha-beta']);
    expect(switcherMatches(items, 'o').map((i) => i.label)).toEqual(['Off-Topic', 'Town Square', 'bob', 'Project Alpha']);
    expect(switcherMatches(items, 'quar').map((i) => i.label)).toEqual(['Town Square']);
  });

  it('ignores a leading ~, @ or #, and lists everything for an empty term', () => {
    expect(switcherMatches(items, '@bob').map((i) => i.label)).toEqual(['bob']);
    expect(switcherMatches(items, '  ')).toHaveLength(5);
    expect(switcherMatches(items, '', 2)).toHaveLength(2);
  });
});
