/**
 * Shared set-up for the cluster suites: a team with channels and members, created through the
 * cluster, and the cluster formed before a suite starts measuring anything.
 */
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { randomBytes } from 'node:crypto';
import type { NewUser } from '../e2e/harness.js';

/** How long a fresh cluster gets to form before a suite starts (membership itself is tested in membership.cluster.spec.ts). */
export const FORMATION_TIMEOUT_MS = 10_000;

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
