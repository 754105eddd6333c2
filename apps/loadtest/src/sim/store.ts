/**
 * What one simulated user remembers between actions, like load-test-ng's memstore (and the web
 * app's redux state): its teams and channels, the posts it has seen, the users, statuses and
 * pictures it has already fetched. Everything is capped so that thousands of users fit in memory.
 */
import { mentionedUsername, permalinkPostId } from '../model/messages.js';
import { pick, type Rand } from '#testing';

export interface ChannelInfo {
  id: string;
  team_id: string;
  type: string;
  name: string;
  total_msg_count: number;
  member_count?: number;
}

export interface PostInfo {
  id: string;
  user_id: string;
  channel_id: string;
  root_id: string;
  create_at: number;
  reply_count: number;
  permalink?: string;
  mention?: string;
  /** The author asked for acknowledgements (metadata.priority.requested_ack). */
  ackRequested?: boolean;
}

const MAX_POSTS_PER_CHANNEL = 120;
const MAX_CHANNELS_WITH_POSTS = 12;
const MAX_USERS = 800;
const MAX_THREADS = 60;

/** A Set that forgets its oldest entries beyond a size. */
class BoundedSet<T> {
  private readonly items = new Set<T>();
  constructor(private readonly max: number) {}
  has(v: T) {
    return this.items.has(v);
  }
  add(v: T) {
    this.items.delete(v);
    this.items.add(v);
    if (this.items.size > this.max) this.items.delete(this.items.values().next().value as T);
  }
  clear() {
    this.items.clear();
  }
  values() {
    return [...this.items];
  }
}

export class UserStore {
  userId = '';
  username = '';
  teams = new Map<string, { id: string; name: string }>();
  currentTeamId = '';
  currentChannelId = '';
  channels = new Map<string, ChannelInfo>();
  memberOf = new Set<string>();
  /** Posts seen per channel, oldest first; only the most recently used channels keep theirs. */
  posts = new Map<string, PostInfo[]>();
  users = new Map<string, { username: string; last_picture_update: number }>();
  statuses = new BoundedSet<string>(MAX_USERS);
  pictures = new BoundedSet<string>(MAX_USERS);
  /** When this session last viewed each channel (0 = not yet: load around the last unread). */
  channelViews = new Map<string, number>();
  reactions = new BoundedSet<string>(200);
  threads = new Map<string, { channel_id: string; create_at: number }>();
  /** Users shown in the sidebar's direct messages (the direct_channel_show preferences). */
  directUsers = new BoundedSet<string>(100);

  clear(): void {
    this.teams.clear();
    this.currentTeamId = '';
    this.currentChannelId = '';
    this.channels.clear();
    this.memberOf.clear();
    this.posts.clear();
    this.users.clear();
    this.statuses.clear();
    this.pictures.clear();
    this.channelViews.clear();
    this.reactions.clear();
    this.threads.clear();
    this.directUsers.clear();
  }

  setChannels(list: ChannelInfo[]): void {
    for (const c of list) {
      this.channels.set(c.id, {
        id: c.id,
        team_id: c.team_id,
        type: c.type,
        name: c.name,
        total_msg_count: c.total_msg_count,
        member_count: this.channels.get(c.id)?.member_count,
      });
      this.memberOf.add(c.id);
    }
  }

  /** Channels of a team (DMs and GMs have no team and belong to every team's sidebar). */
  channelsOf(teamId: string, filter: (c: ChannelInfo) => boolean): ChannelInfo[] {
    const out: ChannelInfo[] = [];
    for (const c of this.channels.values()) {
      if ((c.team_id === teamId || c.team_id === '') && this.memberOf.has(c.id) && filter(c)) out.push(c);
    }
    return out;
  }

  randomChannel(teamId: string, filter: (c: ChannelInfo) => boolean, rand?: Rand): ChannelInfo | undefined {
    return pick(this.channelsOf(teamId, filter), rand);
  }

  addPosts(
    channelId: string,
    posts: Array<{
      id: string;
      user_id: string;
      channel_id: string;
      root_id: string;
      create_at: number;
      reply_count?: number;
      message: string;
      type?: string;
      metadata?: { priority?: { requested_ack?: boolean } };
    }>,
  ): void {
    let list = this.posts.get(channelId);
    if (list) this.posts.delete(channelId); // re-insert: most recently used last
    list ??= [];
    const seen = new Set(list.map((p) => p.id));
    for (const p of posts) {
      if (p.channel_id !== channelId || (p.type ?? '').startsWith('system_')) continue;
      if (seen.has(p.id)) continue;
      seen.add(p.id);
      list.push({
        id: p.id,
        user_id: p.user_id,
        channel_id: p.channel_id,
        root_id: p.root_id,
        create_at: p.create_at,
        reply_count: p.reply_count ?? 0,
        permalink: permalinkPostId(p.message),
        mention: mentionedUsername(p.message),
        ackRequested: p.metadata?.priority?.requested_ack === true,
      });
      const rootId = p.root_id || ((p.reply_count ?? 0) > 0 ? p.id : '');
      if (rootId) {
        this.threads.delete(rootId);
        this.threads.set(rootId, { channel_id: channelId, create_at: p.root_id ? 0 : p.create_at });
        if (this.threads.size > MAX_THREADS) this.threads.delete(this.threads.keys().next().value as string);
      }
    }
    list.sort((a, b) => a.create_at - b.create_at);
    if (list.length > MAX_POSTS_PER_CHANNEL) list = list.slice(list.length - MAX_POSTS_PER_CHANNEL);
    this.posts.set(channelId, list);
    while (this.posts.size > MAX_CHANNELS_WITH_POSTS) this.posts.delete(this.posts.keys().next().value as string);
  }

  channelPosts(channelId: string): PostInfo[] {
    return this.posts.get(channelId) ?? [];
  }

  rememberUser(id: string, username: string, lastPictureUpdate: number): void {
    this.users.delete(id);
    this.users.set(id, { username, last_picture_update: lastPictureUpdate });
    if (this.users.size > MAX_USERS) this.users.delete(this.users.keys().next().value as string);
  }

  randomUser(rand?: Rand): { id: string; username: string } | undefined {
    const ids = [...this.users.keys()].filter((id) => id !== this.userId);
    const id = pick(ids, rand);
    return id ? { id, username: this.users.get(id)!.username } : undefined;
  }
}
