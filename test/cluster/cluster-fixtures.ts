/**
 * Shared set-up for the cluster suites: a team with channels and members, created through the
 * cluster, and the cluster formed before a suite starts measuring anything; and what they check
 * clients against (duplicates, what a client knows of a channel).
 */
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { randomBytes } from 'node:crypto';
import { sleep, startCluster, type ClusterOptions, type ClusterSocket, type NewUser, type TestCluster } from '#testing';

/** How long a fresh cluster gets to form before a suite starts (membership itself is tested in membership.cluster.spec.ts). */
export const FORMATION_TIMEOUT_MS = 10_000;

/**
 * Starts a cluster, signs up its admin through node 0 (the first user, so the system admin) and
 * waits until every node lists every other; stops the cluster if that fails. Set-up after this
 * needs no clean-up of its own: the suite's afterAll stops the cluster (Vitest runs afterAll also
 * when beforeAll fails).
 */
export async function startFormedCluster(opts: ClusterOptions = {}): Promise<{ cluster: TestCluster; admin: NewUser; nodeIds: Map<number, string> }> {
  const cluster = await startCluster(opts);
  try {
    const admin = await cluster.newUser({ via: 0 });
    const nodeIds = await cluster.waitForMembership(admin, FORMATION_TIMEOUT_MS);
    return { cluster, admin, nodeIds };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

export const uniqueName = (prefix: string) => `${prefix}${randomBytes(4).toString('hex')}`;

/** An open team owned by `owner` with `members` on it. */
export async function teamWith(owner: NewUser, members: NewUser[]): Promise<Team> {
  const name = uniqueName('team');
  const team = await owner.client.createTeam({ name, display_name: name, type: 'O' } as Team);
  for (const m of members) await owner.client.addToTeam(team.id, m.user.id);
  return team;
}

/** A channel (public 'O' or private 'P') in `team` created by `owner`, with `members` added. */
export async function channelWith(owner: NewUser, team: Team, type: 'O' | 'P', members: NewUser[]): Promise<Channel> {
  const name = uniqueName(type === 'O' ? 'pub' : 'priv');
  const channel = await owner.client.createChannel({ team_id: team.id, name, display_name: name, type } as Channel);
  for (const m of members) await owner.client.addToChannel(m.user.id, channel.id);
  return channel;
}

/** A public channel with `members`, in a new team of `owner`'s with them on it. */
export async function openChannelWith(owner: NewUser, members: NewUser[]): Promise<Channel> {
  return channelWith(owner, await teamWith(owner, members), 'O', members);
}

export const createPost = (c: Client4, channelId: string, message: string, extra: Partial<Post> = {}) =>
  c.createPost({ channel_id: channelId, message, ...extra } as Post);

/** Every post id of a channel through the REST API (all pages), newest first. */
export async function channelPostIds(c: Client4, channelId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 0; ; page++) {
    const list = await c.getPosts(channelId, page, 200);
    ids.push(...list.order);
    if (list.order.length < 200) return ids;
  }
}

/** Ids that occur more than once. */
export function duplicates(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/**
 * What a real client knows of one channel: posts that came over its socket, plus posts it
 * refetched over REST after each fresh `hello` (when its missed-message listener fired, as the
 * web app does).
 */
export class ChannelView {
  readonly refetched = new Set<string>();
  refetches = 0;
  private readonly pending: Promise<void>[] = [];

  constructor(
    readonly socket: ClusterSocket,
    private readonly client: Client4,
    readonly channelId: string,
  ) {
    socket.onMissed(() => this.pending.push(this.refetch()));
  }

  /** Pages through the channel over REST (retrying failed pages, bounded). */
  async refetch(): Promise<void> {
    this.refetches++;
    for (let page = 0; ; page++) {
      let list: { order: string[] } | undefined;
      for (let attempt = 0; !list; attempt++) {
        try {
          list = await this.client.getPosts(this.channelId, page, 200);
        } catch (err) {
          if (attempt >= 20) throw err;
          await sleep(250);
        }
      }
      for (const id of list.order) this.refetched.add(id);
      if (list.order.length < 200) return;
    }
  }

  /** Waits for refetches in progress. */
  async settled(): Promise<void> {
    await Promise.all(this.pending);
  }

  wsIds(): string[] {
    return this.socket.postedIds(this.channelId);
  }

  known(): Set<string> {
    return new Set([...this.wsIds(), ...this.refetched]);
  }
}
