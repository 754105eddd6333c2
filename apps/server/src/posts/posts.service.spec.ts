import { describe, expect, it } from 'vitest';
import { CollapsedThreads } from '../threads/collapsed-threads.js';
import { newId } from '#common';
import { ConfigService, defaultConfig } from '#config';
import { Database, Queryable } from '#db';
import { LocalInvalidationBus, NoEventOutbox } from '#realtime';
import { memoryDatabase, RecordingPublisher } from '#testing';
import { PermissionsService } from '../auth/permissions.service.js';
import { defaultRoles } from '../roles/in-memory-roles.js';

const ROLES = defaultRoles();
const rolesGrant = (roles: string, permission: string) => ROLES.grants(roles, permission);
import type { ChannelRow, ChannelType } from '../channels/channel.model.js';
import { ChannelMembersRepository, MentionMemberRow } from '../membership/channel-members.repository.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { DraftsService } from '../drafts/drafts.service.js';
import type { FileInfosRepository } from '../files/file-infos.repository.js';
import { MemoryFileInfos } from '../files/in-memory-file-infos.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { testUserRow } from '../users/user.fixtures.js';
import { PostAccess } from './post-access.service.js';
import { PostListsService } from './post-lists.service.js';
import { PostMentionsService } from './post-mentions.service.js';
import { PostPriorityRepository } from './post-priority.repository.js';
import { PostPriorityService } from './post-priority.service.js';
import type { PreviewsService } from '../previews/previews.service.js';
import { PostViews } from './post-views.service.js';
import { PostRow } from './post.model.js';
import { PostsRepository } from './posts.repository.js';
import { NewPostInput, PostsService } from './posts.service.js';
import { ReactionRow } from './reaction-view.js';
import { ReactionsRepository } from './reactions.repository.js';
import { PostCreatedListeners } from './post-created-listeners.js';
import type { ThreadActivity } from '../threads/thread-activity.service.js';
import type { ThreadMembershipsRepository } from '../threads/thread-memberships.repository.js';

/**
 * The people, memberships and rows of one small server, in memory. Roles decide through the real
 * default roles (RolesService over the seeded rows); a channel may moderate a permission away from its members, as a
 * channel scheme does in Mattermost.
 */
class World {
  users = new Map<string, UserRow>();
  teamRoles = new Map<string, string>();
  channels = new Map<string, ChannelRow>();
  channelRoles = new Map<string, Map<string, string>>();
  moderated = new Map<string, Set<string>>();
  posts = new Map<string, PostRow>();
  reactions: ReactionRow[] = [];
  mentionCounts = new Map<string, number>();
  /** The post a file is attached to (file_infos.post_id), read from the files' own memory. */
  fileOwner: (fileId: string) => string | undefined = () => undefined;
}

/** PermissionsService with memberships read from the world instead of the database. */
class MemoryPermissions extends PermissionsService {
  constructor(private readonly world: World) {
    super(undefined as never, undefined as never, ROLES);
  }

  override async hasTeam(session: Session, teamId: string, permission: string): Promise<boolean> {
    if (this.hasSystem(session, permission)) return true;
    const roles = this.world.teamRoles.get(`${teamId}:${session.user_id}`);
    return roles !== undefined && rolesGrant(roles, permission);
  }

  /** The channel member's roles, then the team member's roles for the channel's team. */
  override async hasChannel(session: Session, channelId: string, permission: string): Promise<boolean> {
    if (this.hasSystem(session, permission)) return true;
    const channel = this.world.channels.get(channelId);
    if (!channel) return false;
    const memberRoles = this.world.channelRoles.get(channelId)?.get(session.user_id);
    const moderated = this.world.moderated.get(channelId)?.has(permission) ?? false;
    if (memberRoles !== undefined && !moderated && rolesGrant(memberRoles, permission)) return true;
    const teamRoles = this.world.teamRoles.get(`${channel.team_id}:${session.user_id}`);
    return teamRoles !== undefined && rolesGrant(teamRoles, permission);
  }
}

type PostsRepositoryPart =
  | 'byId'
  | 'nextChangeAt'
  | 'insert'
  | 'addReplyToThread'
  | 'keepAttachedFiles'
  | 'update'
  | 'touch'
  | 'softDelete'
  | 'deleteThread'
  | 'recountThread'
  | 'participantsOf'
  | 'lastChangeAt';

/** The posts table and thread counters (kept on the rows). */
class MemoryPosts implements Pick<PostsRepository, PostsRepositoryPart> {
  constructor(private readonly world: World) {}

  async byId(id: string, includeDeleted = false): Promise<PostRow | undefined> {
    const post = this.world.posts.get(id);
    return post && (includeDeleted || post.delete_at === 0) ? { ...post } : undefined;
  }

  async nextChangeAt(_tx: Queryable, channelId: string, now: number): Promise<number> {
    return this.changeAfterNewest(channelId, now);
  }

  private changeAfterNewest(channelId: string, now: number): number {
    const inChannel = [...this.world.posts.values()].filter((p) => p.channel_id === channelId);
    return Math.max(now, ...inChannel.map((p) => p.update_at + 1));
  }

  // Writes as soon as it is called, as the statement is asked for then (Database.transactionInOneTrip).
  async insert(_tx: Queryable, p: Omit<PostRow, 'reply_count' | 'last_reply_at'>): Promise<number> {
    const updateAt = Math.max(p.update_at, this.changeAfterNewest(p.channel_id, p.update_at));
    this.world.posts.set(p.id, { ...p, update_at: updateAt, reply_count: 0, last_reply_at: 0 });
    return updateAt;
  }

  async addReplyToThread(_tx: Queryable, reply: Pick<PostRow, 'id' | 'root_id' | 'create_at'>) {
    const root = this.world.posts.get(reply.root_id)!;
    const changeAt = this.world.posts.get(reply.id)!.update_at;
    Object.assign(root, { reply_count: root.reply_count + 1, last_reply_at: reply.create_at, update_at: Math.max(root.update_at, changeAt) });
    return { reply_count: root.reply_count, last_reply_at: root.last_reply_at };
  }

  async keepAttachedFiles(_tx: Queryable, postId: string): Promise<void> {
    const post = this.world.posts.get(postId)!;
    post.file_ids = post.file_ids.filter((id) => this.world.fileOwner(id) === postId);
  }

  async update(_tx: Queryable, p: Partial<PostRow> & { id: string }): Promise<void> {
    Object.assign(this.world.posts.get(p.id)!, p);
  }

  async touch(_tx: Queryable, id: string, now: number): Promise<void> {
    const post = this.world.posts.get(id)!;
    post.update_at = Math.max(post.update_at, now);
  }

  async softDelete(_tx: Queryable, id: string, now: number, deletedBy: string): Promise<void> {
    for (const p of this.world.posts.values()) {
      if ((p.id === id || p.root_id === id) && p.delete_at === 0)
        Object.assign(p, { delete_at: now, update_at: now, props: { ...p.props, deleteBy: deletedBy } });
    }
  }

  async deleteThread(_tx: Queryable, rootId: string): Promise<void> {
    Object.assign(this.world.posts.get(rootId)!, { reply_count: 0, last_reply_at: 0 });
  }

  async recountThread(_tx: Queryable, rootId: string): Promise<void> {
    const replies = [...this.world.posts.values()].filter((p) => p.root_id === rootId && p.delete_at === 0);
    Object.assign(this.world.posts.get(rootId)!, { reply_count: replies.length, last_reply_at: Math.max(0, ...replies.map((r) => r.create_at)) });
  }

  /** Who replied to each root, in the order they first replied (the threads table's participants). */
  async participantsOf(roots: Array<Pick<PostRow, 'id'>>): Promise<Map<string, string[]>> {
    const replies = [...this.world.posts.values()].filter((p) => p.delete_at === 0).sort((a, b) => a.create_at - b.create_at);
    return new Map(roots.map((r) => [r.id, [...new Set(replies.filter((p) => p.root_id === r.id).map((p) => p.user_id))]]));
  }

  async lastChangeAt(channelId: string): Promise<number> {
    return Math.max(0, ...[...this.world.posts.values()].filter((p) => p.channel_id === channelId).map((p) => p.update_at));
  }
}

class MemoryReactions implements Pick<ReactionsRepository, 'forPosts'> {
  constructor(private readonly world: World) {}
  async forPosts(postIds: string[]): Promise<ReactionRow[]> {
    return this.world.reactions.filter((r) => postIds.includes(r.post_id));
  }
}

class MemoryChannels implements Pick<ChannelsRepository, 'byId' | 'byIdForPosting' | 'countNewPost' | 'touchLastPostAt' | 'countsChanged'> {
  constructor(private readonly world: World) {}
  async byId(id: string): Promise<ChannelRow | undefined> {
    const channel = this.world.channels.get(id);
    return channel && { ...channel };
  }
  byIdForPosting(id: string): Promise<ChannelRow | undefined> {
    return this.byId(id);
  }
  async countNewPost(channelId: string, createAt: number): Promise<void> {
    const channel = this.world.channels.get(channelId)!;
    Object.assign(channel, { last_post_at: Math.max(channel.last_post_at, createAt), total_msg_count: channel.total_msg_count + 1 });
  }
  async touchLastPostAt(channelId: string, now: number): Promise<void> {
    const channel = this.world.channels.get(channelId)!;
    channel.last_post_at = Math.max(channel.last_post_at, now);
  }
  countsChanged(): void {}
}

class MemoryChannelMembers implements Pick<ChannelMembersRepository, 'mentionMembers' | 'incrementMentions'> {
  constructor(private readonly world: World) {}
  async mentionMembers(channelId: string): Promise<MentionMemberRow[]> {
    return [...(this.world.channelRoles.get(channelId)?.keys() ?? [])].map((userId) => {
      const user = this.world.users.get(userId)!;
      return {
        user_id: user.id,
        username: user.username,
        first_name: user.first_name,
        user_notify_props: user.notify_props,
        channel_notify_props: {},
        status: 'online',
      };
    });
  }
  async incrementMentions(channelId: string, userIds: string[]): Promise<void> {
    for (const userId of userIds) this.world.mentionCounts.set(userId, (this.world.mentionCounts.get(userId) ?? 0) + 1);
  }
}

class MemoryUsers implements Pick<UsersRepository, 'byId'> {
  constructor(private readonly world: World) {}
  async byId(id: string): Promise<UserRow | undefined> {
    return this.world.users.get(id);
  }
}

class MemoryPreferences implements Pick<PreferencesRepository, 'one'> {
  async one(): Promise<undefined> {
    return undefined;
  }
}

/** Writes go through the in-memory repositories; a statement reaching the "database" fails the test. */

const TEAM = newId();

/**
 * alice created the team (team admin) and its channels; bob is in both channels; dave is on the
 * team only; carol is not on the team; root is a system admin. `archived` is an archived channel.
 * bob also has a public and a private channel of his own (`bobsHall`, `bobsRoom`), without alice.
 */
function setup() {
  const world = new World();
  const config = structuredClone(defaultConfig);
  const person = (username: string, systemRoles: string, teamRoles?: string) => {
    const id = newId();
    world.users.set(id, testUserRow(username, { id, first_name: username, roles: systemRoles, timezone: {} }));
    if (teamRoles) world.teamRoles.set(`${TEAM}:${id}`, teamRoles);
    const session = { id: newId(), user_id: id, roles: systemRoles, props: {} } as Session;
    return session;
  };
  const alice = person('alice', 'system_user', 'team_user team_admin');
  const bob = person('bob', 'system_user', 'team_user');
  const dave = person('dave', 'system_user', 'team_user');
  const carol = person('carol', 'system_user');
  const root = person('root', 'system_user system_admin');
  const channel = (type: ChannelType, members: Session[], deleteAt = 0) => {
    const id = newId();
    world.channels.set(id, { id, team_id: TEAM, type, name: id, display_name: id, delete_at: deleteAt, last_post_at: 0, total_msg_count: 0 } as ChannelRow);
    world.channelRoles.set(id, new Map(members.map((m) => [m.user_id, 'channel_user'])));
    return id;
  };
  const pub = channel('O', [alice, bob]);
  const priv = channel('P', [alice, bob]);
  const archived = channel('O', [alice, bob], Date.now());
  const bobsHall = channel('O', [bob]);
  const bobsRoom = channel('P', [bob]);

  const permissions = new MemoryPermissions(world);
  const repo = new MemoryPosts(world) as unknown as PostsRepository;
  const channels = new MemoryChannels(world) as unknown as ChannelsRepository;
  const members = new MemoryChannelMembers(world) as unknown as ChannelMembersRepository;
  const users = new MemoryUsers(world) as unknown as UsersRepository;
  const access = new PostAccess(permissions, repo, channels);
  const fileInfos = new MemoryFileInfos((id) => [...world.posts.values()].filter((p) => p.id === id || p.root_id === id).map((p) => p.id));
  world.fileOwner = (id) => fileInfos.rows.get(id)?.post_id;
  // Participants as user objects (the only use of UsersService) play no part in these decisions.
  const noPreviews = { linksOf: () => [], warm: async () => undefined, addEmbedsAndImages: async () => undefined } as unknown as PreviewsService;
  const configService = { get: () => config } as unknown as ConfigService;
  // Message priority has its own spec (post-priority.service.spec.ts); here no post has one.
  const noPriorities = { extrasFor: async () => new Map() } as unknown as PostPriorityRepository;
  const views = new PostViews(
    repo,
    new MemoryReactions(world) as unknown as ReactionsRepository,
    users,
    undefined as unknown as UsersService,
    noPriorities,
    configService,
    noPreviews,
    { followingOf: async () => new Map() } as unknown as ThreadMembershipsRepository,
    fileInfos as unknown as FileInfosRepository,
  );
  const collapsedThreads = new CollapsedThreads(new MemoryPreferences() as unknown as PreferencesRepository, configService);
  const mentions = new PostMentionsService(members, permissions, configService, repo, collapsedThreads, new LocalInvalidationBus());
  const publisher = new RecordingPublisher();
  const created = new PostCreatedListeners();
  const posts = new PostsService(
    repo,
    access,
    views,
    mentions,
    permissions,
    users,
    channels,
    members,
    collapsedThreads,
    memoryDatabase,
    configService,
    publisher,
    new NoEventOutbox(),
    { checkForNewPost: () => undefined, saveForNewPost: async () => undefined } as unknown as PostPriorityService,
    { clearWithPost: async () => undefined, clearThread: () => undefined } as unknown as DraftsService,
    { followReply: async () => ({ followed: { newFollowers: [] }, crtFollowers: [] }), replyPosted: async () => {} } as unknown as ThreadActivity,
    fileInfos as unknown as FileInfosRepository,
    created,
  );
  const lists = new PostListsService(repo, channels, access, views, permissions);
  return { world, config, posts, lists, publisher, created, fileInfos, alice, bob, dave, carol, root, pub, priv, archived, bobsHall, bobsRoom };
}

function newPost(channelId: string, message: string, extra: Partial<NewPostInput> = {}): NewPostInput {
  return { channel_id: channelId, message, root_id: '', file_ids: [], props: {}, pending_post_id: '', type: '', create_at: 0, ...extra };
}

/** The 403 of a missing permission, naming the permission that was checked. */
function denied(permission: string) {
  return { statusCode: 403, id: 'api.context.permissions.app_error', detailedError: expect.stringContaining(`permission=${permission}`) };
}

describe('PostsService: creating posts', () => {
  it('lets a channel member post: the post is stored, counted and announced', async () => {
    const { world, posts, publisher, bob, pub } = setup();
    const view = await posts.create(bob, newPost(pub, 'hello'), true);
    expect(world.posts.get(view.id)).toMatchObject({ user_id: bob.user_id, channel_id: pub, message: 'hello' });
    expect(world.channels.get(pub)!.total_msg_count).toBe(1);
    expect(publisher.events.map((e) => e.event)).toEqual(['posted']);
  });

  it("notifies the post-created listeners of a user's post, after it is announced, and not of an integration's post", async () => {
    const { world, posts, created, publisher, bob, dave, pub } = setup();
    const seen: string[] = [];
    created.add(async (e) => void seen.push(`${e.post.message} by ${e.poster.username} in ${e.channel.id}`));
    await posts.create(bob, newPost(pub, 'hello'), true);
    const poster = world.users.get(dave.user_id)!;
    // dave is not in the channel: an integration's post is not checked against the poster's permissions.
    const hooked = await posts.createForIntegration({
      poster,
      channel_id: pub,
      message: 'from a hook',
      root_id: '',
      props: { from_webhook: 'true', override_username: 'ci' },
      type: '',
      priority: null,
      senderName: 'ci',
    });
    expect(hooked).toMatchObject({ user_id: dave.user_id, props: { from_webhook: 'true', override_username: 'ci' } });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([`hello by bob in ${pub}`]);
    expect(publisher.events.map((e) => e.data.sender_name)).toEqual(['@bob', 'ci']);
    expect(publisher.events[1].data.set_online).toBe(false);
  });

  it('refuses an integration post to an archived channel and system post types', async () => {
    const { world, posts, dave, archived, pub } = setup();
    const poster = world.users.get(dave.user_id)!;
    const input = { poster, channel_id: archived, message: 'x', root_id: '', props: {}, type: '', priority: null };
    await expect(posts.createForIntegration(input)).rejects.toMatchObject({ statusCode: 400, id: 'api.post.create_post.can_not_post_to_deleted.error' });
    await expect(posts.createForIntegration({ ...input, channel_id: pub, type: 'system_join_channel' })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('refuses create_post to team members outside the channel, public or private, and to people off the team', async () => {
    const { world, posts, publisher, dave, carol, pub, priv } = setup();
    for (const [who, channel] of [
      [dave, pub],
      [dave, priv],
      [carol, pub],
    ] as const) {
      await expect(posts.create(who, newPost(channel, 'let me in'), true)).rejects.toMatchObject(denied('create_post'));
    }
    expect(world.posts.size).toBe(0);
    expect(publisher.events).toHaveLength(0);
  });

  it('lets a system admin post where they are not a member', async () => {
    const { posts, root, priv } = setup();
    await expect(posts.create(root, newPost(priv, 'admin note'), true)).resolves.toMatchObject({ user_id: root.user_id });
  });

  it('needs upload_file to attach files', async () => {
    const { world, posts, bob, pub } = setup();
    world.moderated.set(pub, new Set(['upload_file']));
    await expect(posts.create(bob, newPost(pub, 'with a file', { file_ids: [newId()] }), true)).rejects.toMatchObject(denied('upload_file'));
    await expect(posts.create(bob, newPost(pub, 'no file'), true)).resolves.toMatchObject({ message: 'no file' });
  });

  it("attaches the poster's own unattached files, moving them to the post's channel; leaves out others' and taken ones", async () => {
    const { posts, fileInfos, alice, bob, pub, priv } = setup();
    const own = fileInfos.upload(bob.user_id, priv);
    const alices = fileInfos.upload(alice.user_id, pub);
    const view = await posts.create(bob, newPost(pub, 'files', { file_ids: [own.id, alices.id, newId()] }), true);
    expect(view.file_ids).toEqual([own.id]);
    expect(view.metadata.files?.map((f) => f.id)).toEqual([own.id]);
    expect(fileInfos.rows.get(own.id)).toMatchObject({ post_id: view.id, channel_id: pub });
    expect(fileInfos.rows.get(alices.id)).toMatchObject({ post_id: '' });
    // A file already on a post cannot be taken by a second one.
    const again = await posts.create(bob, newPost(pub, 'same file', { file_ids: [own.id] }), true);
    expect(again.file_ids).toEqual([]);
    expect(fileInfos.rows.get(own.id)!.post_id).toBe(view.id);
  });

  it('refuses posting to an archived channel with can_not_post_to_deleted', async () => {
    const { posts, bob, archived } = setup();
    await expect(posts.create(bob, newPost(archived, 'too late'), true)).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.post.create_post.can_not_post_to_deleted.error',
    });
  });

  it('counts @channel for every other member only with use_channel_mentions', async () => {
    const { world, posts, alice, bob, pub } = setup();
    await posts.create(bob, newPost(pub, '@channel lunch?'), true);
    expect(world.mentionCounts.get(alice.user_id)).toBe(1);
    expect(world.mentionCounts.has(bob.user_id)).toBe(false);

    // A channel that moderates channel mentions away from its members: nobody is mentioned.
    world.moderated.set(pub, new Set(['use_channel_mentions']));
    await posts.create(bob, newPost(pub, '@channel again?'), true);
    expect(world.mentionCounts.get(alice.user_id)).toBe(1);
    // A direct @mention still counts.
    await posts.create(bob, newPost(pub, '@alice then'), true);
    expect(world.mentionCounts.get(alice.user_id)).toBe(2);
  });

  it('ignores @channel in a channel larger than MaxNotificationsPerChannel', async () => {
    const { world, config, posts, alice, bob, pub } = setup();
    config.TeamSettings.MaxNotificationsPerChannel = 1;
    await posts.create(bob, newPost(pub, '@all look'), true);
    expect(world.mentionCounts.has(alice.user_id)).toBe(false);
  });
});

describe('PostsService: editing posts', () => {
  it('lets authors edit their own posts (edit_post), PUT and PATCH alike', async () => {
    const { world, posts, bob, pub } = setup();
    const created = await posts.create(bob, newPost(pub, 'typo'), true);
    await expect(posts.update(bob, created.id, { message: 'fixed', is_pinned: false, props: {} })).resolves.toMatchObject({ message: 'fixed' });
    await expect(posts.patch(bob, created.id, { message: 'fixed twice' })).resolves.toMatchObject({ message: 'fixed twice' });
    expect(world.posts.get(created.id)!.edit_at).toBeGreaterThan(0);
  });

  // Mattermost's default roles give edit_others_posts to system admins only (team_admin lacks it).
  it("refuses edits of others' posts without edit_others_posts, also to a team admin", async () => {
    const { world, posts, alice, bob, pub } = setup();
    const alices = await posts.create(alice, newPost(pub, 'alice wrote'), true);
    await expect(posts.update(bob, alices.id, { message: 'bob rewrote', is_pinned: false, props: {} })).rejects.toMatchObject(denied('edit_others_posts'));
    await expect(posts.patch(bob, alices.id, { message: 'bob rewrote' })).rejects.toMatchObject(denied('edit_others_posts'));
    expect(world.posts.get(alices.id)!.message).toBe('alice wrote');

    const bobs = await posts.create(bob, newPost(pub, 'bob wrote'), true);
    await expect(posts.patch(alice, bobs.id, { message: 'moderated' })).rejects.toMatchObject(denied('edit_others_posts'));
  });

  it('does not hand a post to a team admin outside its private channel: PATCH {} gets the 403 GET gives', async () => {
    const { world, posts, lists, publisher, alice, bob, bobsRoom } = setup();
    const secret = await posts.create(bob, newPost(bobsRoom, 'for my eyes only'), true);
    const before = structuredClone(world.posts.get(secret.id));
    publisher.events.length = 0;
    await expect(lists.get(alice, secret.id, false)).rejects.toMatchObject(denied('read_channel_content'));
    // alice's team role holds edit_others_posts, which applies in every channel of the team.
    await expect(posts.patch(alice, secret.id, {})).rejects.toMatchObject(denied('read_channel_content'));
    await expect(posts.patch(alice, secret.id, { is_pinned: true })).rejects.toMatchObject(denied('read_channel_content'));
    await expect(posts.update(alice, secret.id, { message: 'x', is_pinned: false, props: {} })).rejects.toMatchObject(denied('read_channel_content'));
    expect(world.posts.get(secret.id)).toEqual(before);
    expect(publisher.events).toHaveLength(0);
  });

  it('asks PATCH for what PUT asks: edit_post on the channel as well as edit_others_posts', async () => {
    const { world, posts, alice, bob, root, bobsHall } = setup();
    const bobs = await posts.create(bob, newPost(bobsHall, 'bob in his hall'), true);
    // alice reads the public channel as a team member, and her team role grants edit_others_posts,
    // but she is not in the channel, so she lacks edit_post there: PUT refused her, PATCH now too.
    await expect(posts.update(alice, bobs.id, { message: 'rewritten', is_pinned: false, props: {} })).rejects.toMatchObject(denied('edit_post'));
    await expect(posts.patch(alice, bobs.id, { message: 'rewritten' })).rejects.toMatchObject(denied('edit_post'));
    expect(world.posts.get(bobs.id)!.message).toBe('bob in his hall');
    // A system admin holds both everywhere.
    await expect(posts.patch(root, bobs.id, { message: 'moderated' })).resolves.toMatchObject({ message: 'moderated' });
  });

  it('refuses edit_post to an author the channel no longer lets edit', async () => {
    const { world, posts, bob, pub } = setup();
    const created = await posts.create(bob, newPost(pub, 'mine'), true);
    world.moderated.set(pub, new Set(['edit_post']));
    await expect(posts.update(bob, created.id, { message: 'still mine', is_pinned: false, props: {} })).rejects.toMatchObject(denied('edit_post'));
    await expect(posts.patch(bob, created.id, { message: 'still mine' })).rejects.toMatchObject(denied('edit_post'));
  });

  it('answers a missing post with the edit_post 403, as Mattermost', async () => {
    const { posts, bob } = setup();
    await expect(posts.update(bob, newId(), { message: 'x', is_pinned: false, props: {} })).rejects.toMatchObject(denied('edit_post'));
    await expect(posts.patch(bob, newId(), { message: 'x' })).rejects.toMatchObject(denied('edit_post'));
  });

  it('patches only the fields given', async () => {
    const { posts, bob, pub } = setup();
    const created = await posts.create(bob, newPost(pub, 'keep this', { props: { color: 'blue' } }), true);
    const patched = await posts.patch(bob, created.id, { props: { color: 'red' } });
    expect(patched).toMatchObject({ message: 'keep this', props: { color: 'red' }, edit_at: 0 });
  });

  it('refuses message changes after PostEditTimeLimit', async () => {
    const { world, config, posts, bob, pub } = setup();
    config.ServiceSettings.PostEditTimeLimit = 60;
    const created = await posts.create(bob, newPost(pub, 'old news'), true);
    world.posts.get(created.id)!.create_at -= 61_000;
    await expect(posts.patch(bob, created.id, { message: 'new news' })).rejects.toMatchObject({
      statusCode: 400,
      id: 'api.post.update_post.permissions_time_limit.app_error',
    });
  });
});

describe('PostsService: deleting posts', () => {
  it('lets authors delete their own posts (delete_post), with the replies', async () => {
    const { world, posts, publisher, alice, bob, pub } = setup();
    const root = await posts.create(bob, newPost(pub, 'root'), true);
    const reply = await posts.create(alice, newPost(pub, 'reply', { root_id: root.id }), true);
    await posts.delete(bob, root.id);
    expect(world.posts.get(root.id)!.delete_at).toBeGreaterThan(0);
    expect(world.posts.get(reply.id)!.delete_at).toBeGreaterThan(0);
    expect(world.posts.get(root.id)!.props.deleteBy).toBe(bob.user_id);
    expect(publisher.events.at(-1)!.event).toBe('post_deleted');
  });

  it("refuses deleting others' posts without delete_others_posts; a team admin has it", async () => {
    const { world, posts, alice, bob, pub } = setup();
    const alices = await posts.create(alice, newPost(pub, 'alice wrote'), true);
    await expect(posts.delete(bob, alices.id)).rejects.toMatchObject(denied('delete_others_posts'));
    expect(world.posts.get(alices.id)!.delete_at).toBe(0);

    const bobs = await posts.create(bob, newPost(pub, 'bob wrote'), true);
    await posts.delete(alice, bobs.id);
    expect(world.posts.get(bobs.id)!.delete_at).toBeGreaterThan(0);
  });

  it('answers an unknown post with 404 app.post.get.app_error', async () => {
    const { posts, bob } = setup();
    await expect(posts.delete(bob, newId())).rejects.toMatchObject({ statusCode: 404, id: 'app.post.get.app_error' });
  });
});

describe('PostsService: files on edit and delete', () => {
  it('an edit attaches newly named files and deletes the ones taken off', async () => {
    const { posts, fileInfos, bob, pub } = setup();
    const [a, b] = [fileInfos.upload(bob.user_id, pub), fileInfos.upload(bob.user_id, pub)];
    const post = await posts.create(bob, newPost(pub, 'one file', { file_ids: [a.id] }), true);
    const edited = await posts.patch(bob, post.id, { file_ids: [b.id] });
    expect(edited.file_ids).toEqual([b.id]);
    expect(fileInfos.rows.get(a.id)!.delete_at).toBeGreaterThan(0);
    expect(fileInfos.rows.get(b.id)).toMatchObject({ post_id: post.id, delete_at: 0 });
  });

  it("deleting a root deletes its files and its replies' files", async () => {
    const { posts, fileInfos, alice, bob, pub } = setup();
    const [a, b] = [fileInfos.upload(bob.user_id, pub), fileInfos.upload(alice.user_id, pub)];
    const root = await posts.create(bob, newPost(pub, 'root', { file_ids: [a.id] }), true);
    await posts.create(alice, newPost(pub, 'reply', { root_id: root.id, file_ids: [b.id] }), true);
    await posts.delete(bob, root.id);
    expect(fileInfos.rows.get(a.id)!.delete_at).toBeGreaterThan(0);
    expect(fileInfos.rows.get(b.id)!.delete_at).toBeGreaterThan(0);
  });
});

describe('PostsService: pinning', () => {
  it("lets the channel's members pin and unpin, whoever wrote the post, and a system admin", async () => {
    const { world, posts, alice, bob, root, pub } = setup();
    const alices = await posts.create(alice, newPost(pub, 'pin me'), true);
    await posts.setPinned(bob, alices.id, true);
    expect(world.posts.get(alices.id)!.is_pinned).toBe(true);
    await posts.setPinned(root, alices.id, false);
    expect(world.posts.get(alices.id)!.is_pinned).toBe(false);
  });

  it('refuses team members outside a public channel, as reacting and posting there are refused', async () => {
    const { world, posts, publisher, alice, dave, pub } = setup();
    const open = await posts.create(alice, newPost(pub, 'open'), true);
    publisher.events.length = 0;
    // dave reads the public channel as a team member, but is not in it.
    await expect(posts.setPinned(dave, open.id, true)).rejects.toMatchObject(denied('read_channel_content'));
    world.posts.get(open.id)!.is_pinned = true;
    await expect(posts.setPinned(dave, open.id, false)).rejects.toMatchObject(denied('read_channel_content'));
    expect(world.posts.get(open.id)!.is_pinned).toBe(true);
    expect(publisher.events).toHaveLength(0);
  });

  it('refuses people who cannot read the channel', async () => {
    const { world, posts, alice, dave, carol, pub, priv } = setup();
    const secret = await posts.create(alice, newPost(priv, 'secret'), true);
    await expect(posts.setPinned(dave, secret.id, true)).rejects.toMatchObject(denied('read_channel_content'));
    const open = await posts.create(alice, newPost(pub, 'open'), true);
    await expect(posts.setPinned(carol, open.id, true)).rejects.toMatchObject(denied('read_channel_content'));
    expect(world.posts.get(secret.id)!.is_pinned).toBe(false);
    expect(world.posts.get(open.id)!.is_pinned).toBe(false);
    await expect(posts.setPinned(dave, newId(), true)).rejects.toMatchObject(denied('read_channel_content'));
  });
});

describe('reading a post', () => {
  it("shows a private channel's post to its members only", async () => {
    const { posts, lists, alice, bob, dave, root, priv } = setup();
    const secret = await posts.create(alice, newPost(priv, 'members only'), true);
    await expect(lists.get(bob, secret.id, false)).resolves.toMatchObject({ notModified: false, body: { message: 'members only' } });
    await expect(lists.get(dave, secret.id, false)).rejects.toMatchObject(denied('read_channel_content'));
    await expect(lists.get(root, secret.id, false)).resolves.toMatchObject({ notModified: false });
  });

  it("shows a public channel's post to the team, not to others", async () => {
    const { posts, lists, alice, dave, carol, pub } = setup();
    const open = await posts.create(alice, newPost(pub, 'for the team'), true);
    await expect(lists.get(dave, open.id, false)).resolves.toMatchObject({ notModified: false });
    await expect(lists.get(carol, open.id, false)).rejects.toMatchObject(denied('read_public_channel'));
  });

  it('keeps deleted posts to system admins (manage_system)', async () => {
    const { posts, lists, alice, root, pub } = setup();
    const created = await posts.create(alice, newPost(pub, 'soon gone'), true);
    await posts.delete(alice, created.id);
    await expect(lists.get(alice, created.id, true)).rejects.toMatchObject(denied('manage_system'));
    await expect(lists.get(root, created.id, true)).resolves.toMatchObject({ notModified: false });
  });
});
