/**
 * The data set to seed, decided up front from the configuration and a fixed random seed (the
 * same settings give the same data set): who is in which team, channel, DM and GM, and how many
 * posts each channel gets. Users and teams are referred to by index here; seeding maps indices to
 * server ids.
 */
import type { SeedConfig } from '../config.js';
import { randInt, sample, seededRandom, type Rand } from '#testing';

export interface PlannedChannel {
  /** lt-pub-<n> / lt-priv-<n> within its team. */
  name: string;
  team: number;
  type: 'O' | 'P';
  members: number[];
}

export interface PlannedGroup {
  /** The member who creates it (a GM is created by one of its members). */
  creator: number;
  members: number[];
}

export interface SeedPlan {
  teams: string[];
  users: number;
  /** Team indices of each user. */
  teamsOfUser: number[][];
  /** User indices of each team. */
  membersOfTeam: number[][];
  channels: PlannedChannel[];
  directs: Array<[number, number]>;
  groups: PlannedGroup[];
}

export const teamName = (i: number) => `lt-team-${i}`;
/** The users who create GMs: a small pool, since creating one needs that user's session. */
export const GROUP_CREATORS = 50;

export function planDataSet(c: SeedConfig): SeedPlan {
  const rand = seededRandom(c.randomSeed);
  const teams = Array.from({ length: c.teams }, (_, i) => teamName(i));
  const teamsOfUser: number[][] = [];
  const membersOfTeam: number[][] = teams.map(() => []);
  const perUser = Math.min(c.teamsPerUser, c.teams);
  for (let u = 0; u < c.users; u++) {
    // The first team round-robin (every team gets users), the others at random.
    const first = u % c.teams;
    const others = sample(
      teams.map((_, i) => i).filter((i) => i !== first),
      perUser - 1,
      rand,
    );
    const mine = [first, ...others];
    teamsOfUser.push(mine);
    for (const t of mine) membersOfTeam[t].push(u);
  }

  const channels: PlannedChannel[] = [];
  const addChannels = (count: number, type: 'O' | 'P') => {
    for (let n = 0; n < count; n++) {
      const team = n % c.teams;
      const pool = membersOfTeam[team];
      const size =
        type === 'O'
          ? Math.round((randInt(c.publicChannelMembersPercent[0], c.publicChannelMembersPercent[1], rand) / 100) * pool.length)
          : randInt(c.privateChannelMembers[0], c.privateChannelMembers[1], rand);
      channels.push({ name: `${type === 'O' ? 'lt-pub' : 'lt-priv'}-${n}`, team, type, members: sample(pool, Math.max(1, size), rand) });
    }
  };
  addChannels(c.publicChannels, 'O');
  addChannels(c.privateChannels, 'P');

  const directs: Array<[number, number]> = [];
  const seen = new Set<string>();
  const maxPairs = (c.users * (c.users - 1)) / 2;
  for (let tries = 0; directs.length < Math.min(c.directChannels, maxPairs) && tries < c.directChannels * 10; tries++) {
    const a = randInt(0, c.users - 1, rand);
    const b = randInt(0, c.users - 1, rand);
    if (a === b) continue;
    const key = a < b ? `${a}:${b}` : `${b}:${a}`;
    if (seen.has(key)) continue;
    seen.add(key);
    directs.push([a, b]);
  }

  const groups: PlannedGroup[] = [];
  const creators = Math.min(GROUP_CREATORS, c.users);
  for (let g = 0; g < c.groupChannels && c.users >= c.groupChannelMembers[0]; g++) {
    const creator = g % creators;
    const size = randInt(c.groupChannelMembers[0], c.groupChannelMembers[1], rand);
    const others = sample(
      Array.from({ length: c.users }, (_, i) => i).filter((i) => i !== creator),
      size - 1,
      rand,
    );
    groups.push({ creator, members: [creator, ...others] });
  }
  return { teams, users: c.users, teamsOfUser, membersOfTeam, channels, directs, groups };
}

/**
 * How many posts each channel gets: the share of its kind (public, private, DM, GM), spread
 * within the kind in proportion to member count (busy channels are the big ones), at least one
 * per channel while there are posts to give.
 */
export function postsPerChannel(
  kinds: Record<'public' | 'private' | 'direct' | 'group', Array<{ id: string; members: number }>>,
  total: number,
  shares: SeedConfig['postShares'],
  rand: Rand,
): Map<string, number> {
  const out = new Map<string, number>();
  const shareSum = Object.values(shares).reduce((a, b) => a + b, 0) || 1;
  for (const kind of ['public', 'private', 'direct', 'group'] as const) {
    const list = kinds[kind];
    if (!list.length) continue;
    const budget = Math.round((total * shares[kind]) / shareSum);
    const weights = list.map((c) => Math.max(1, c.members) * (0.5 + rand()));
    const wsum = weights.reduce((a, b) => a + b, 0);
    let given = 0;
    list.forEach((c, i) => {
      const n = Math.floor((budget * weights[i]) / wsum);
      out.set(c.id, n);
      given += n;
    });
    // The rounding remainder goes to random channels of the kind.
    for (let left = budget - given; left > 0; left--) {
      const c = list[Math.floor(rand() * list.length)];
      out.set(c.id, (out.get(c.id) ?? 0) + 1);
    }
  }
  return out;
}
