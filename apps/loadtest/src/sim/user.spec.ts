/**
 * Where a simulated user tells the server it looks (the `presence` action), as Mattermost's load
 * test does with the event scope on: the server then sends a channel's typing and reactions only to
 * the sockets looking at it, so a user that never says makes every typing reach every member.
 */
import { describe, expect, it, vi } from 'vitest';
import { Collector } from '../metrics/collector.js';
import type { ChannelInfo } from './store.js';
import { SimUser, type UserSettings } from './user.js';

const SETTINGS = { url: 'http://127.0.0.1:1', wsUrl: 'ws://127.0.0.1:1', controller: { actions: { SwitchChannel: 1 } } } as unknown as UserSettings;

function user(scope: string | undefined) {
  const u = new SimUser(SETTINGS, new Collector());
  const sent: string[] = [];
  u.ws = {
    updateActiveChannel: (id: string) => sent.push(`channel ${id}`),
    updateActiveTeam: (id: string) => sent.push(`team ${id}`),
    updateActiveThread: (threadView: boolean, id: string) => sent.push(`thread ${threadView ? 'view' : 'rhs'} ${id}`),
  } as never;
  u.clientConfig = scope === undefined ? {} : { FeatureFlagWebSocketEventScope: scope };
  return { u, sent };
}

describe('SimUser presence', () => {
  it('says the channel it switched to, once the channel is viewed', async () => {
    const { u, sent } = user('true');
    u.store.currentTeamId = 't1';
    u.store.setChannels([{ id: 'c1', team_id: 't1', type: 'O', name: 'town-square' } as ChannelInfo]);
    u.store.memberOf.add('c1');
    const viewed = vi.spyOn(u, 'viewChannel').mockImplementation(async () => {
      expect(sent).toEqual([]);
    });
    await u.switchChannel();
    expect(viewed).toHaveBeenCalledOnce();
    expect(sent).toEqual(['channel c1']);
  });

  it('says a team, and a thread in both thread views (no right-hand side apart from the threads view)', () => {
    const { u, sent } = user('true');
    u.lookAt({ teamId: 't1' });
    u.lookAt({ threadChannelId: '' });
    expect(sent).toEqual(['team t1', 'thread view ', 'thread rhs ']);
  });

  it('says nothing when the server has the event scope off, or does not say', () => {
    for (const scope of ['false', undefined]) {
      const { u, sent } = user(scope);
      u.lookAt({ channelId: 'c1', teamId: 't1', threadChannelId: 'c1' });
      expect(sent).toEqual([]);
    }
  });
});
