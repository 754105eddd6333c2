import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { seededRandom } from '#testing';
import { planDataSet, postsPerChannel } from './plan.js';

describe('seed plan', () => {
  const seed = { ...loadConfig().seed, users: 200, teams: 4, publicChannels: 12, privateChannels: 28, directChannels: 300, groupChannels: 40 };

  it('is the same for the same settings, with the requested sizes', () => {
    const a = planDataSet(seed);
    const b = planDataSet(seed);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.teams).toHaveLength(4);
    expect(a.channels.filter((c) => c.type === 'O')).toHaveLength(12);
    expect(a.channels.filter((c) => c.type === 'P')).toHaveLength(28);
    expect(a.directs).toHaveLength(300);
    expect(a.groups).toHaveLength(40);
  });

  it('puts every user in teamsPerUser teams and channel members in the channel’s team', () => {
    const p = planDataSet(seed);
    for (const teams of p.teamsOfUser) expect(new Set(teams).size).toBe(seed.teamsPerUser);
    for (const ch of p.channels) {
      const team = new Set(p.membersOfTeam[ch.team]);
      for (const m of ch.members) expect(team.has(m)).toBe(true);
      expect(new Set(ch.members).size).toBe(ch.members.length);
    }
    const pairs = new Set(p.directs.map(([x, y]) => (x < y ? `${x}:${y}` : `${y}:${x}`)));
    expect(pairs.size).toBe(p.directs.length);
    for (const g of p.groups) {
      expect(g.members[0]).toBe(g.creator);
      expect(g.members.length).toBeGreaterThanOrEqual(seed.groupChannelMembers[0]);
      expect(g.members.length).toBeLessThanOrEqual(seed.groupChannelMembers[1]);
    }
  });

  it('spreads exactly the posts asked for, by kind share', () => {
    const kinds = {
      public: [
        { id: 'a', members: 50 },
        { id: 'b', members: 5 },
      ],
      private: [{ id: 'c', members: 10 }],
      direct: [{ id: 'd', members: 2 }],
      group: [{ id: 'e', members: 4 }],
    };
    const m = postsPerChannel(kinds, 1000, { public: 0.5, private: 0.3, direct: 0.1, group: 0.1 }, seededRandom(1));
    expect([...m.values()].reduce((s, n) => s + n, 0)).toBe(1000);
    expect((m.get('a') ?? 0) + (m.get('b') ?? 0)).toBe(500);
    expect(m.get('a')!).toBeGreaterThan(m.get('b')!);
    expect(m.get('c')).toBe(300);
  });
});
