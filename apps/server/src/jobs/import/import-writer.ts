import { posix } from 'node:path';
import { hashPassword } from '#auth';
import { newId } from '#common';
import type { ConfigService } from '#config';
import type { Database, Queryable } from '#db';
import type { FileStore } from '#storage';
import { ChannelRow, directChannelName, groupChannelName, groupDisplayName, newChannelRow, OFF_TOPIC, TOWN_SQUARE } from '../../channels/channel.model.js';
import { ChannelsRepository } from '../../channels/channels.repository.js';
import { decodeLimits } from '../../common/images.js';
import type { FileInfoRow } from '../../files/file-info.model.js';
import { FileInfosRepository } from '../../files/file-infos.repository.js';
import { FileIntake, newFileInfo } from '../../files/file-intake.service.js';
import { ChannelMembersRepository } from '../../membership/channel-members.repository.js';
import { newChannelMember } from '../../membership/channel-membership.service.js';
import { ChannelMemberRow, defaultChannelNotifyProps, TeamMemberRow } from '../../membership/membership.model.js';
import { composeRoles, explicitRoles, RoleScope } from '../../membership/scheme-roles.js';
import { TeamMembersRepository } from '../../membership/team-members.repository.js';
import { parseHashtags } from '../../posts/hashtags.js';
import type { PostRow } from '../../posts/post.model.js';
import { PostsRepository } from '../../posts/posts.repository.js';
import type { ReactionRow } from '../../posts/reaction-view.js';
import { ReactionsRepository } from '../../posts/reactions.repository.js';
import type { Preference } from '../../preferences/preference.model.js';
import { PreferencesRepository } from '../../preferences/preferences.repository.js';
import type { TeamRow } from '../../teams/team.model.js';
import { TeamsRepository } from '../../teams/teams.repository.js';
import { defaultNotifyProps, defaultTimezone, UserRow } from '../../users/user.model.js';
import { UsersRepository } from '../../users/users.repository.js';
import {
  AttachmentData,
  attachmentEntryName,
  ChannelData,
  DirectChannelData,
  DirectPostData,
  ImportLineError,
  PostData,
  ReplyData,
  TeamData,
  UserData,
} from './import-lines.js';
import type { ZipSource } from './zip-source.js';

/** A post batch's writes, gathered to be sent together. */
interface PostWrites {
  inserts: Array<Omit<PostRow, 'reply_count' | 'last_reply_at'>>;
  reactions: ReactionRow[];
  /** Flags by user and post (each once). */
  flags: Map<string, Preference>;
  /** Known posts that get their first reactions (has_reactions and update_at follow). */
  reacted: Array<{ id: string; channel_id: string; update_at: number }>;
}

/** What the import wrote, for the job's data. */
export interface ImportCounts {
  teams: number;
  channels: number;
  users: number;
  posts: number;
  replies: number;
  direct_channels: number;
  direct_posts: number;
  attachments: number;
}

// The names Mattermost gives a new team's default channels (DefaultChannelsService's).
const DEFAULT_CHANNELS: Array<[string, string]> = [
  [TOWN_SQUARE, 'Town Square'],
  [OFF_TOPIC, 'Off-Topic'],
];

/**
 * The user line's preference fields as Mattermost's importUser stores them (category, name), with
 * email_interval's words as the seconds the notifications preference holds.
 */
const USER_PREFERENCES: Record<string, [string, string | null]> = {
  theme: ['theme', ''],
  use_military_time: ['display_settings', 'use_military_time'],
  collapse_previews: ['display_settings', 'collapse_previews'],
  message_display: ['display_settings', 'message_display'],
  colorize_usernames: ['display_settings', 'colorize_usernames'],
  channel_display_mode: ['display_settings', 'channel_display_mode'],
  // Named by the user's id.
  tutorial_step: ['tutorial_step', null],
  use_markdown_preview: ['advanced_settings', 'feature_enabled_markdown_preview'],
  use_formatting: ['advanced_settings', 'formatting'],
  show_unread_section: ['sidebar_settings', 'show_unread_section'],
  email_interval: ['notifications', 'email_interval'],
};
const EMAIL_INTERVAL_SECONDS: Record<string, string> = { immediately: '30', fifteen: '900', hour: '3600' };

/**
 * The membership `roles` string from an import line's roles: the scheme roles become the flags
 * (a member is at least a user, unless a guest), the others stay as explicit roles.
 */
function memberRoles(scope: RoleScope, roles: string | undefined, guest: boolean) {
  const words = (roles ?? '').split(' ').filter(Boolean);
  const has = (r: string) => words.includes(`${scope}_${r}`);
  const isGuest = guest || has('guest');
  const flags = { scheme_guest: isGuest, scheme_user: !isGuest, scheme_admin: !isGuest && has('admin') };
  return { roles: composeRoles(scope, flags, explicitRoles(scope, words.join(' ')).split(' ').filter(Boolean)), ...flags };
}

const notFound = (id: string, what: string) => new ImportLineError(id, `${what} does not exist`);

/**
 * Writes the lines of a checked import into the tables, a batch of lines of one kind per call and
 * per transaction, every table through its own repository. It matches what is there already the
 * way Mattermost's import does — teams and users by name, channels by team and name, direct
 * channels by members, posts by channel, time and author — so that running an import again updates
 * rows instead of adding them.
 */
export class ImportWriter {
  readonly counts: ImportCounts = { teams: 0, channels: 0, users: 0, posts: 0, replies: 0, direct_channels: 0, direct_posts: 0, attachments: 0 };
  /** Channels whose members changed, for the caches of the server this runs in. */
  readonly touchedChannels = new Set<string>();
  readonly touchedUsers = new Set<string>();
  readonly touchedTeams = new Set<string>();

  private readonly teams: TeamsRepository;
  private readonly channels: ChannelsRepository;
  private readonly users: UsersRepository;
  private readonly teamMembers: TeamMembersRepository;
  private readonly channelMembers: ChannelMembersRepository;
  private readonly preferences: PreferencesRepository;
  private readonly posts: PostsRepository;
  private readonly reactions: ReactionsRepository;
  private readonly fileInfos: FileInfosRepository;
  private readonly intake: FileIntake;

  // What earlier batches resolved: names to rows, so that later lines need not look them up again.
  private readonly teamIds = new Map<string, string>();
  private readonly channelsByKey = new Map<string, ChannelRow>();
  private readonly usersByName = new Map<string, Pick<UserRow, 'id' | 'username' | 'roles'>>();

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly store: FileStore,
    private readonly zip: ZipSource,
  ) {
    this.teams = new TeamsRepository(db);
    this.channels = new ChannelsRepository(db);
    this.users = new UsersRepository(db);
    this.teamMembers = new TeamMembersRepository(db);
    this.channelMembers = new ChannelMembersRepository(db);
    this.preferences = new PreferencesRepository(db);
    this.posts = new PostsRepository(db);
    this.reactions = new ReactionsRepository(db);
    this.fileInfos = new FileInfosRepository(db);
    this.intake = new FileIntake(store);
  }

  /**
   * Runs one batch in a transaction. Files it wrote to the store are removed again when the
   * transaction fails, so a failed batch leaves neither rows nor bytes.
   */
  async batch(work: (tx: Queryable, written: string[]) => Promise<void>): Promise<void> {
    const written: string[] = [];
    const counts = { ...this.counts };
    const caches = { channels: new Map(this.channelsByKey), teams: new Map(this.teamIds), users: new Map(this.usersByName) };
    try {
      await this.db.transaction((tx) => work(tx, written));
    } catch (err) {
      for (const path of written) await this.store.remove(path).catch(() => undefined);
      // What the failed batch counted and cached was rolled back with it.
      Object.assign(this.counts, counts);
      for (const [map, saved] of [
        [this.channelsByKey, caches.channels],
        [this.teamIds, caches.teams],
        [this.usersByName, caches.users],
      ] as Array<[Map<string, unknown>, Map<string, unknown>]>) {
        map.clear();
        for (const [k, v] of saved) map.set(k, v);
      }
      throw err;
    }
  }

  // ---- teams and channels ------------------------------------------------------------------

  async importTeams(tx: Queryable, lines: TeamData[]): Promise<void> {
    const existing = new Map(
      (
        await this.teams.byNames(
          lines.map((t) => t.name),
          tx,
        )
      ).map((t) => [t.name, t]),
    );
    const now = Date.now();
    for (const data of lines) {
      let team = existing.get(data.name);
      if (team) {
        team = {
          ...team,
          update_at: now,
          display_name: data.display_name,
          type: data.type,
          description: data.description ?? team.description,
          allow_open_invite: data.allow_open_invite ?? team.allow_open_invite,
        };
        await this.teams.update(team, tx);
      } else {
        team = {
          id: newId(),
          create_at: now,
          update_at: now,
          delete_at: 0,
          display_name: data.display_name,
          name: data.name,
          description: data.description ?? '',
          email: '',
          type: data.type,
          company_name: '',
          allowed_domains: '',
          invite_id: newId(),
          allow_open_invite: data.allow_open_invite ?? false,
          last_team_icon_update: 0,
          scheme_id: null,
          group_constrained: false,
        } satisfies TeamRow;
        await this.teams.insert(team, tx);
        // As Mattermost's CreateTeam: a new team has its default channels (lines may update them).
        for (const [name, displayName] of DEFAULT_CHANNELS) {
          await this.channels.insertOrGet(newChannelRow({ team_id: team.id, type: 'O', name, display_name: displayName }, now), tx);
        }
      }
      existing.set(team.name, team);
      this.teamIds.set(team.name, team.id);
      this.counts.teams++;
    }
  }

  private async teamId(tx: Queryable, name: string, missingId: string): Promise<string> {
    let id = this.teamIds.get(name);
    if (!id) {
      id = (await this.teams.byNames([name], tx))[0]?.id;
      if (!id) throw notFound(missingId, `team ${name}`);
      this.teamIds.set(name, id);
    }
    return id;
  }

  private async channel(tx: Queryable, teamName: string, name: string, missingId: string): Promise<ChannelRow> {
    const key = `${teamName}/${name}`;
    let channel = this.channelsByKey.get(key);
    if (!channel) {
      const teamId = await this.teamId(tx, teamName, missingId);
      channel = (await this.channels.byTeamNames([{ team_id: teamId, name }], tx))[0];
      if (!channel) throw notFound(missingId, `channel ${key}`);
      this.remember(key, channel);
    }
    return channel;
  }

  /** Keeps at most 10 000 channels (a post batch looks up few); the rest are read again. */
  private remember(key: string, channel: ChannelRow): void {
    if (this.channelsByKey.size >= 10_000) this.channelsByKey.clear();
    this.channelsByKey.set(key, channel);
  }

  async importChannels(tx: Queryable, lines: ChannelData[]): Promise<void> {
    const now = Date.now();
    for (const data of lines) {
      const teamId = await this.teamId(tx, data.team, 'app.import.import_channel.team_not_found.error');
      const found = (await this.channels.byTeamNames([{ team_id: teamId, name: data.name }], tx))[0];
      // Mattermost's DeletedAt: a channel the line says is archived is archived from that time.
      const deleteAt = data.deleted_at ?? found?.delete_at ?? 0;
      let channel: ChannelRow;
      if (found) {
        channel = {
          ...found,
          update_at: now,
          display_name: data.display_name,
          type: data.type,
          header: data.header ?? found.header,
          purpose: data.purpose ?? found.purpose,
          delete_at: deleteAt,
        };
        await this.channels.update(channel, tx);
        if (found.delete_at !== deleteAt) await this.channels.setDeleteAt(found.id, deleteAt, now, tx);
      } else {
        channel = newChannelRow(
          { team_id: teamId, type: data.type, name: data.name, display_name: data.display_name, header: data.header ?? '', purpose: data.purpose ?? '' },
          now,
        );
        channel.delete_at = deleteAt;
        await this.channels.insert(channel, tx);
      }
      this.remember(`${data.team}/${data.name}`, channel);
      this.counts.channels++;
    }
  }

  // ---- users -------------------------------------------------------------------------------

  async importUsers(tx: Queryable, lines: UserData[]): Promise<void> {
    const existing = new Map(
      (
        await this.users.byUsernames(
          lines.map((u) => u.username),
          tx,
        )
      ).map((u) => [u.username, u]),
    );
    const now = Date.now();
    for (const data of lines) {
      const found = existing.get(data.username);
      const notify = { ...(found?.notify_props ?? defaultNotifyProps()) };
      for (const [key, value] of Object.entries(data.notify_props ?? {})) {
        // UserNotifyPropsImportData calls two of the props by other names.
        notify[key === 'mobile' ? 'push' : key === 'mobile_push_status' ? 'push_status' : key] = value;
      }
      const password = data.password !== undefined ? await hashPassword(data.password) : undefined;
      const user: UserRow = found
        ? {
            ...found,
            update_at: now,
            email: data.email,
            auth_service: data.auth_service ?? found.auth_service,
            auth_data: data.auth_data ?? (data.auth_service === '' ? null : found.auth_data),
            password: password ?? (data.auth_data ? '' : found.password),
            email_verified: data.email_verified ?? found.email_verified,
            nickname: data.nickname ?? found.nickname,
            first_name: data.first_name ?? found.first_name,
            last_name: data.last_name ?? found.last_name,
            position: data.position ?? found.position,
            roles: data.roles ?? found.roles,
            locale: data.locale ?? found.locale,
            delete_at: data.delete_at ?? found.delete_at,
            notify_props: notify,
          }
        : {
            id: newId(),
            create_at: now,
            update_at: now,
            delete_at: data.delete_at ?? 0,
            username: data.username,
            // No password and no sign-in service: the account signs in once a password is reset.
            password: password ?? '',
            auth_data: data.auth_data ?? null,
            auth_service: data.auth_service ?? '',
            email: data.email,
            // Mattermost's import takes an imported email as verified unless the line says otherwise.
            email_verified: data.email_verified ?? true,
            nickname: data.nickname ?? '',
            first_name: data.first_name ?? '',
            last_name: data.last_name ?? '',
            position: data.position ?? '',
            roles: data.roles ?? 'system_user',
            locale: data.locale ?? this.config.get().LocalizationSettings.DefaultClientLocale,
            notify_props: notify,
            props: {},
            timezone: defaultTimezone(),
            last_password_update: now,
            last_picture_update: 0,
            failed_attempts: 0,
            mfa_active: false,
            is_bot: false,
          };
      const taken = (await this.users.byEmails([user.email], tx)).find((u) => u.id !== user.id);
      if (taken) throw new ImportLineError('app.import.import_user.save_failed.error', `the email of ${data.username} belongs to ${taken.username}`);
      if (found) await this.users.update(user, tx);
      else await this.users.insert(user, tx);
      existing.set(user.username, user);
      this.usersByName.set(user.username, user);
      this.touchedUsers.add(user.id);
      await this.userPreferences(tx, user, data);
      await this.userMemberships(tx, user, data, now);
      this.counts.users++;
    }
  }

  private async userPreferences(tx: Queryable, user: UserRow, data: UserData): Promise<void> {
    const prefs: Preference[] = [];
    for (const [field, value] of Object.entries(data.preferences)) {
      const [category, name] = USER_PREFERENCES[field];
      prefs.push({ user_id: user.id, category, name: name ?? user.id, value: field === 'email_interval' ? EMAIL_INTERVAL_SECONDS[value] : value });
    }
    if (prefs.length) await this.preferences.upsert(prefs, tx);
  }

  private async userMemberships(tx: Queryable, user: UserRow, data: UserData, now: number): Promise<void> {
    const guest = user.roles.split(' ').includes('system_guest');
    const prefs: Preference[] = [];
    for (const t of data.teams) {
      const teamId = await this.teamId(tx, t.name, 'app.import.import_user_teams.team_not_found.error');
      const member: TeamMemberRow = { team_id: teamId, user_id: user.id, delete_at: 0, create_at: now, ...memberRoles('team', t.roles, guest) };
      await this.teamMembers.save(member, tx);
      this.touchedTeams.add(teamId);
      if (t.theme) prefs.push({ user_id: user.id, category: 'theme', name: teamId, value: t.theme });
      for (const c of t.channels) {
        const channel = await this.channel(tx, t.name, c.name, 'app.import.import_user_channels.channel_not_found.error');
        const notify = defaultChannelNotifyProps();
        if (c.notify_props.desktop) notify.desktop = c.notify_props.desktop;
        if (c.notify_props.mobile) notify.push = c.notify_props.mobile;
        if (c.notify_props.mark_unread) notify.mark_unread = c.notify_props.mark_unread;
        const row: ChannelMemberRow = {
          channel_id: channel.id,
          user_id: user.id,
          last_viewed_at: c.last_viewed_at ?? 0,
          msg_count: c.msg_count ?? 0,
          mention_count: c.mention_count ?? 0,
          mention_count_root: 0,
          urgent_mention_count: 0,
          msg_count_root: 0,
          notify_props: notify,
          last_update_at: now,
          ...memberRoles('channel', c.roles, guest),
        };
        await this.channelMembers.upsert(row, tx);
        this.touchedChannels.add(channel.id);
        if (c.favorite) prefs.push({ user_id: user.id, category: 'favorite_channel', name: channel.id, value: 'true' });
      }
    }
    // A line that names a channel or team twice would give one key twice, which one upsert cannot take.
    if (prefs.length) await this.preferences.upsert([...new Map(prefs.map((p) => [`${p.category}:${p.name}`, p])).values()], tx);
  }

  private async userIds(tx: Queryable, usernames: string[], missingId: string): Promise<Map<string, Pick<UserRow, 'id' | 'username' | 'roles'>>> {
    const wanted = [...new Set(usernames)];
    const unknown = wanted.filter((u) => !this.usersByName.has(u));
    if (unknown.length) {
      if (this.usersByName.size > 100_000) this.usersByName.clear();
      for (const u of await this.users.byUsernames(unknown, tx)) this.usersByName.set(u.username, { id: u.id, username: u.username, roles: u.roles });
    }
    const map = new Map<string, Pick<UserRow, 'id' | 'username' | 'roles'>>();
    for (const name of wanted) {
      const u = this.usersByName.get(name);
      if (!u) throw notFound(missingId, `user ${name}`);
      map.set(name, u);
    }
    return map;
  }

  // ---- direct channels ---------------------------------------------------------------------

  async importDirectChannels(tx: Queryable, lines: DirectChannelData[]): Promise<void> {
    for (const data of lines) {
      const channel = await this.directChannel(tx, data.members, 'app.import.import_direct_channel.member_not_found.error');
      if (data.header !== undefined && data.header !== channel.header) {
        channel.header = data.header;
        channel.update_at = Date.now();
        await this.channels.update(channel, tx);
      }
      const users = await this.userIds(tx, data.favorited_by, 'app.import.import_direct_channel.member_not_found.error');
      const prefs = [...users.values()].map((u) => ({ user_id: u.id, category: 'favorite_channel', name: channel.id, value: 'true' }));
      if (prefs.length) await this.preferences.upsert(prefs, tx);
      this.counts.direct_channels++;
    }
  }

  /**
   * The direct (two members, or one member twice) or group channel of these users, created with
   * its memberships when missing, and shown in its members' sidebars (Mattermost's
   * direct_channel_show / group_channel_show preferences).
   */
  private async directChannel(tx: Queryable, usernames: string[], missingId: string): Promise<ChannelRow> {
    const users = await this.userIds(tx, usernames, missingId);
    const members = [...users.values()];
    const ids = usernames.map((u) => users.get(u)!.id);
    const direct = usernames.length === 2;
    const name = direct ? directChannelName(ids[0], ids[1]) : groupChannelName(ids);
    const key = `/${name}`;
    const cached = this.channelsByKey.get(key);
    if (cached) return cached;
    const now = Date.now();
    const { channel, created } = await this.channels.insertOrGet(
      newChannelRow({ team_id: '', type: direct ? 'D' : 'G', name, display_name: direct ? '' : groupDisplayName(members.map((m) => m.username)) }, now),
      tx,
    );
    if (created) {
      for (const user of members) {
        await this.channelMembers.insert(newChannelMember(channel.id, user, false, now), tx);
      }
      const show: Preference[] = members.map((m) =>
        direct
          ? { user_id: m.id, category: 'direct_channel_show', name: (members.find((o) => o.id !== m.id) ?? m).id, value: 'true' }
          : { user_id: m.id, category: 'group_channel_show', name: channel.id, value: 'true' },
      );
      await this.preferences.upsert(show, tx);
      this.touchedChannels.add(channel.id);
    }
    this.remember(key, channel);
    return channel;
  }

  // ---- posts -------------------------------------------------------------------------------

  async importPosts(tx: Queryable, lines: PostData[], written: string[]): Promise<void> {
    const targets: Array<{ channel: ChannelRow; data: PostData | DirectPostData }> = [];
    for (const data of lines)
      targets.push({ channel: await this.channel(tx, data.team, data.channel, 'app.import.import_post.channel_not_found.error'), data });
    await this.writePosts(tx, targets, written, 'app.import.import_post.user_not_found.error');
    this.counts.posts += lines.length;
  }

  async importDirectPosts(tx: Queryable, lines: DirectPostData[], written: string[]): Promise<void> {
    const targets: Array<{ channel: ChannelRow; data: PostData | DirectPostData }> = [];
    for (const data of lines)
      targets.push({ channel: await this.directChannel(tx, data.channel_members, 'app.import.import_direct_post.user_not_found.error'), data });
    await this.writePosts(tx, targets, written, 'app.import.import_direct_post.user_not_found.error');
    this.counts.direct_posts += lines.length;
  }

  /**
   * The posts of a batch: new ones inserted together, known ones updated, then their reactions,
   * flags, threads and their channels' counters, a few statements for the whole batch.
   */
  private async writePosts(
    tx: Queryable,
    targets: Array<{ channel: ChannelRow; data: PostData | DirectPostData }>,
    written: string[],
    missingUser: string,
  ): Promise<void> {
    const names = targets.flatMap(({ data }) => [data, ...data.replies].flatMap((p) => [p.user, ...p.flagged_by, ...p.reactions.map((r) => r.user)]));
    const users = await this.userIds(tx, names, missingUser);
    const channelIds = [...new Set(targets.map((t) => t.channel.id))];
    const times = targets.flatMap(({ data }) => [data.create_at, ...data.replies.map((r) => r.create_at)]);
    // What an earlier run imported: the same channel, time, author and thread.
    const known = new Map<string, PostRow>();
    for (const p of await this.posts.atTimes(tx, channelIds, [...new Set(times)])) known.set(`${p.channel_id}:${p.create_at}:${p.user_id}:${p.root_id}`, p);
    const files = await this.fileInfos.forPosts([...known.values()].map((p) => p.id));
    const out: PostWrites = { inserts: [], reactions: [], flags: new Map(), reacted: [] };
    const threads: string[] = [];
    for (const { channel, data } of targets) {
      // A root changes with its thread: its update_at is at least its last reply's time.
      const lastReply = Math.max(0, ...data.replies.map((r) => r.create_at));
      const rootId = await this.writePost(tx, channel, data, '', lastReply, users, known, files, written, out);
      for (const reply of data.replies) await this.writePost(tx, channel, reply, rootId, 0, users, known, files, written, out);
      this.counts.replies += data.replies.length;
      if (data.replies.length) threads.push(rootId);
    }
    await this.posts.insertMany(tx, out.inserts);
    await this.reactions.saveMany(tx, out.reactions);
    for (const r of out.reacted) await this.posts.reactionsChanged(tx, r.id, r.channel_id, r.update_at);
    if (out.flags.size) await this.preferences.upsert([...out.flags.values()], tx);
    await this.posts.rebuildThreads(tx, threads);
    const added = new Map<string, { posts: number; roots: number; lastPostAt: number; lastRootPostAt: number }>();
    for (const p of out.inserts) {
      const a = added.get(p.channel_id) ?? { posts: 0, roots: 0, lastPostAt: 0, lastRootPostAt: 0 };
      a.posts++;
      a.lastPostAt = Math.max(a.lastPostAt, p.create_at);
      if (!p.root_id) {
        a.roots++;
        a.lastRootPostAt = Math.max(a.lastRootPostAt, p.create_at);
      }
      added.set(p.channel_id, a);
    }
    for (const [channelId, a] of added) await this.channels.countImportedPosts(tx, channelId, a);
  }

  /** One post or reply: its files stored, its row queued for insert (new) or updated (known); answers its id. */
  private async writePost(
    tx: Queryable,
    channel: ChannelRow,
    data: ReplyData,
    rootId: string,
    lastReply: number,
    users: Map<string, Pick<UserRow, 'id'>>,
    known: Map<string, PostRow>,
    files: Map<string, FileInfoRow[]>,
    written: string[],
    out: PostWrites,
  ): Promise<string> {
    const userId = users.get(data.user)!.id;
    const found = known.get(`${channel.id}:${data.create_at}:${userId}:${rootId}`);
    const id = found?.id ?? newId();
    // Files an earlier run attached stay; a file is added only when the post has none of its name and size.
    const have = files.get(id) ?? [];
    const fileIds = have.map((f) => f.id);
    for (const attachment of data.attachments) {
      const entry = attachmentEntryName(attachment.path)!;
      const name = posix.basename(attachment.path);
      if (have.some((f) => f.name === name && f.size === this.zip.size(entry))) continue;
      const row = await this.storeAttachment(tx, attachment, { id, channel_id: channel.id, user_id: userId, create_at: data.create_at }, written);
      fileIds.push(row.id);
    }
    const updateAt = Math.max(data.create_at, data.edit_at, lastReply, found?.update_at ?? 0);
    const fields = {
      message: data.message,
      props: data.props,
      hashtags: parseHashtags(data.message),
      file_ids: fileIds,
      edit_at: data.edit_at,
      is_pinned: data.is_pinned,
    };
    if (found) {
      await this.posts.update(tx, { id, update_at: updateAt, ...fields });
      if (data.reactions.length && !found.has_reactions) out.reacted.push({ id, channel_id: channel.id, update_at: updateAt });
    } else {
      out.inserts.push({
        id,
        create_at: data.create_at,
        update_at: updateAt,
        delete_at: 0,
        user_id: userId,
        channel_id: channel.id,
        root_id: rootId,
        original_id: '',
        type: data.type,
        has_reactions: data.reactions.length > 0,
        ...fields,
      });
    }
    for (const r of data.reactions) {
      out.reactions.push({ user_id: users.get(r.user)!.id, post_id: id, emoji_name: r.emoji_name, channel_id: channel.id, create_at: r.create_at });
    }
    for (const u of data.flagged_by) {
      const flagger = users.get(u)!.id;
      out.flags.set(`${flagger}:${id}`, { user_id: flagger, category: 'flagged_post', name: id, value: 'true' });
    }
    return id;
  }

  /**
   * One attachment: its bytes streamed from the archive into the store where an upload of the post's
   * author to its channel at its time would be, its FileInfo row (thumbnail and preview for images,
   * as an upload gets them), attached to the post.
   */
  private async storeAttachment(
    tx: Queryable,
    attachment: AttachmentData,
    post: { id: string; channel_id: string; user_id: string; create_at: number },
    written: string[],
  ): Promise<FileInfoRow> {
    const row = newFileInfo(post.user_id, post.channel_id, posix.basename(attachment.path), post.create_at);
    row.post_id = post.id;
    const writer = await this.store.openWriter(row.path);
    try {
      for await (const chunk of await this.zip.open(attachmentEntryName(attachment.path)!)) await writer.write(chunk as Buffer);
      row.size = await writer.commit();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    written.push(row.path);
    try {
      await this.intake.addImageData(row, decodeLimits(this.config.get().FileSettings));
    } catch {
      // An image that cannot be decoded is kept as a plain file, without thumbnail or preview.
    } finally {
      for (const path of [row.thumbnail_path, row.preview_path]) if (path) written.push(path);
    }
    await this.fileInfos.insert(tx, row);
    this.counts.attachments++;
    return row;
  }
}
