import { Database } from '#db';
import { FileInfosRepository } from '../../files/file-infos.repository.js';
import type { AttachmentRow, ChannelRow, DirectPostRow, PostRow, ReactionRow, RootPostRow, TeamMembershipRow, TeamRow, UserRow } from './export-lines.js';

/** Sorts before every id: the start of keyset pagination. */
export const FIRST_ID = '';

// What Mattermost's export skips: deleted rows, system messages, and anything on a deleted team.
const LIVE_TEAM_CHANNEL = `c.delete_at = 0 AND c.type IN ('O', 'P') AND t.delete_at = 0`;
const EXPORTED_POST = `p.delete_at = 0 AND p.type NOT LIKE 'system\\_%'`;

export interface ExportTotals {
  teams: number;
  channels: number;
  users: number;
  posts: number;
  directChannels: number;
  directPosts: number;
}

interface RawPost {
  id: string;
  root_id: string;
  channel_id: string;
  username: string;
  type: string;
  message: string;
  props: Record<string, unknown>;
  create_at: number;
  edit_at: number;
  is_pinned: boolean;
}

/** The queries behind the bulk export, each one batch after a given id (keyset pagination). */
export class ExportReader {
  private readonly fileInfos: FileInfosRepository;

  constructor(private readonly db: Database) {
    this.fileInfos = new FileInfosRepository(db);
  }

  async totals(): Promise<ExportTotals> {
    const [row] = await this.db.query<ExportTotals>(`SELECT
      (SELECT count(*)::int FROM teams WHERE delete_at = 0) AS teams,
      (SELECT count(*)::int FROM channels c JOIN teams t ON t.id = c.team_id WHERE ${LIVE_TEAM_CHANNEL}) AS channels,
      (SELECT count(*)::int FROM users WHERE NOT is_bot) AS users,
      (SELECT count(*)::int FROM posts p JOIN channels c ON c.id = p.channel_id JOIN teams t ON t.id = c.team_id
        WHERE p.root_id = '' AND ${EXPORTED_POST} AND ${LIVE_TEAM_CHANNEL}) AS posts,
      (SELECT count(*)::int FROM channels WHERE type IN ('D', 'G') AND delete_at = 0) AS "directChannels",
      (SELECT count(*)::int FROM posts p JOIN channels c ON c.id = p.channel_id
        WHERE p.root_id = '' AND ${EXPORTED_POST} AND c.type IN ('D', 'G') AND c.delete_at = 0) AS "directPosts"`);
    return row;
  }

  /** Live files on live posts: about what an export with attachments streams (for its progress). */
  async attachmentTotal(): Promise<number> {
    const [row] = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM file_infos f JOIN posts p ON p.id = f.post_id
        WHERE f.post_id <> '' AND f.delete_at = 0 AND ${EXPORTED_POST}`,
    );
    return row.n;
  }

  teams(after: string, limit: number): Promise<Array<TeamRow & { id: string }>> {
    return this.db.query(
      `SELECT id, name, display_name, type, description, allow_open_invite FROM teams WHERE delete_at = 0 AND id > $1 ORDER BY id LIMIT $2`,
      [after, limit],
    );
  }

  channels(after: string, limit: number): Promise<Array<ChannelRow & { id: string }>> {
    return this.db.query(
      `SELECT c.id, t.name AS team_name, c.name, c.display_name, c.type, c.header, c.purpose
         FROM channels c JOIN teams t ON t.id = c.team_id
        WHERE ${LIVE_TEAM_CHANNEL} AND c.id > $1 ORDER BY c.id LIMIT $2`,
      [after, limit],
    );
  }

  users(after: string, limit: number): Promise<Array<UserRow & { id: string }>> {
    return this.db.query(
      `SELECT id, username, email, auth_service, auth_data, nickname, first_name, last_name, position, roles, locale, delete_at, notify_props
         FROM users WHERE NOT is_bot AND id > $1 ORDER BY id LIMIT $2`,
      [after, limit],
    );
  }

  /** Team and channel memberships of these users, with channel favourites. */
  async memberships(userIds: string[]): Promise<Map<string, TeamMembershipRow[]>> {
    const teams = await this.db.query<{ user_id: string; team_id: string; name: string; roles: string }>(
      `SELECT tm.user_id, t.id AS team_id, t.name, tm.roles FROM team_members tm JOIN teams t ON t.id = tm.team_id
        WHERE tm.user_id = ANY($1) AND tm.delete_at = 0 AND t.delete_at = 0 ORDER BY t.name`,
      [userIds],
    );
    const channels = await this.db.query<{
      user_id: string;
      team_id: string;
      name: string;
      roles: string;
      notify_props: Record<string, string>;
      mention_count: number;
      msg_count: number;
      last_viewed_at: number;
      favorite: boolean;
    }>(
      `SELECT cm.user_id, c.team_id, c.name, cm.roles, cm.notify_props, cm.mention_count, cm.msg_count, cm.last_viewed_at,
              EXISTS (SELECT 1 FROM preferences f WHERE f.user_id = cm.user_id AND f.category = 'favorite_channel' AND f.name = c.id AND f.value = 'true') AS favorite
         FROM channel_members cm JOIN channels c ON c.id = cm.channel_id JOIN teams t ON t.id = c.team_id
        WHERE cm.user_id = ANY($1) AND ${LIVE_TEAM_CHANNEL} ORDER BY c.name`,
      [userIds],
    );
    const byUser = new Map<string, TeamMembershipRow[]>();
    const byUserTeam = new Map<string, TeamMembershipRow>();
    for (const t of teams) {
      const membership: TeamMembershipRow = { name: t.name, roles: t.roles, channels: [] };
      byUserTeam.set(`${t.user_id}:${t.team_id}`, membership);
      const list = byUser.get(t.user_id) ?? [];
      list.push(membership);
      byUser.set(t.user_id, list);
    }
    for (const c of channels) {
      byUserTeam.get(`${c.user_id}:${c.team_id}`)?.channels.push({
        name: c.name,
        roles: c.roles,
        notify_props: c.notify_props,
        favorite: c.favorite,
        mention_count: c.mention_count,
        msg_count: c.msg_count,
        last_viewed_at: c.last_viewed_at,
      });
    }
    return byUser;
  }

  /** Root posts of team channels, with replies, reactions, flags and, when asked, attachments. */
  async posts(after: string, limit: number, withAttachments = false): Promise<{ last: string | null; posts: RootPostRow[] }> {
    const roots = await this.db.query<RawPost & { team_name: string; channel_name: string }>(
      `SELECT p.id, p.root_id, p.channel_id, u.username, p.type, p.message, p.props, p.create_at, p.edit_at, p.is_pinned,
              t.name AS team_name, c.name AS channel_name
         FROM posts p JOIN channels c ON c.id = p.channel_id JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = p.user_id
        WHERE p.root_id = '' AND ${EXPORTED_POST} AND ${LIVE_TEAM_CHANNEL} AND p.id > $1
        ORDER BY p.id LIMIT $2`,
      [after, limit],
    );
    const extras = await this.extras(
      roots.map((r) => r.id),
      withAttachments,
    );
    return {
      last: roots.at(-1)?.id ?? null,
      posts: roots.map((r) => ({ ...extras.post(r), team_name: r.team_name, channel_name: r.channel_name, replies: extras.replies(r.id) })),
    };
  }

  /** DM and group channels: their members' usernames (a DM with oneself lists the user twice, as Mattermost). */
  async directChannels(after: string, limit: number): Promise<Array<{ id: string; header: string; members: string[]; favorited_by: string[] }>> {
    const rows = await this.db.query<{ id: string; type: string; header: string; members: string[]; favorited_by: string[] }>(
      `SELECT c.id, c.type, c.header,
              ARRAY(SELECT u.username FROM channel_members cm JOIN users u ON u.id = cm.user_id WHERE cm.channel_id = c.id ORDER BY u.username) AS members,
              ARRAY(SELECT u.username FROM preferences f JOIN users u ON u.id = f.user_id
                     WHERE f.category = 'favorite_channel' AND f.name = c.id AND f.value = 'true' ORDER BY u.username) AS favorited_by
         FROM channels c WHERE c.type IN ('D', 'G') AND c.delete_at = 0 AND c.id > $1 ORDER BY c.id LIMIT $2`,
      [after, limit],
    );
    return rows.map((r) => ({ ...r, members: r.type === 'D' && r.members.length === 1 ? [r.members[0], r.members[0]] : r.members }));
  }

  async directPosts(after: string, limit: number, withAttachments = false): Promise<{ last: string | null; posts: DirectPostRow[] }> {
    const roots = await this.db.query<RawPost>(
      `SELECT p.id, p.root_id, p.channel_id, u.username, p.type, p.message, p.props, p.create_at, p.edit_at, p.is_pinned
         FROM posts p JOIN channels c ON c.id = p.channel_id JOIN users u ON u.id = p.user_id
        WHERE p.root_id = '' AND ${EXPORTED_POST} AND c.type IN ('D', 'G') AND c.delete_at = 0 AND p.id > $1
        ORDER BY p.id LIMIT $2`,
      [after, limit],
    );
    const channelIds = [...new Set(roots.map((r) => r.channel_id))];
    const members = new Map<string, string[]>();
    if (channelIds.length) {
      const rows = await this.db.query<{ channel_id: string; type: string; members: string[] }>(
        `SELECT c.id AS channel_id, c.type,
                ARRAY(SELECT u.username FROM channel_members cm JOIN users u ON u.id = cm.user_id WHERE cm.channel_id = c.id ORDER BY u.username) AS members
           FROM channels c WHERE c.id = ANY($1)`,
        [channelIds],
      );
      for (const r of rows) members.set(r.channel_id, r.type === 'D' && r.members.length === 1 ? [r.members[0], r.members[0]] : r.members);
    }
    const extras = await this.extras(
      roots.map((r) => r.id),
      withAttachments,
    );
    return {
      last: roots.at(-1)?.id ?? null,
      posts: roots.map((r) => ({ ...extras.post(r), members: members.get(r.channel_id) ?? [], replies: extras.replies(r.id) })),
    };
  }

  /** Replies of these roots, and the reactions, flags and (when asked) live files of roots and replies alike. */
  private async extras(rootIds: string[], withAttachments: boolean) {
    // root_id <> '' lets the planner use the partial index on root_id.
    const replies = rootIds.length
      ? await this.db.query<RawPost>(
          `SELECT p.id, p.root_id, p.channel_id, u.username, p.type, p.message, p.props, p.create_at, p.edit_at, p.is_pinned
             FROM posts p JOIN users u ON u.id = p.user_id
            WHERE p.root_id = ANY($1) AND p.root_id <> '' AND ${EXPORTED_POST} ORDER BY p.create_at, p.id`,
          [rootIds],
        )
      : [];
    const ids = [...rootIds, ...replies.map((r) => r.id)];
    const reactions = ids.length
      ? await this.db.query<ReactionRow & { post_id: string }>(
          `SELECT r.post_id, u.username, r.emoji_name, r.create_at FROM reactions r JOIN users u ON u.id = r.user_id
            WHERE r.post_id = ANY($1) ORDER BY r.create_at, u.username`,
          [ids],
        )
      : [];
    const flags = ids.length
      ? await this.db.query<{ post_id: string; username: string }>(
          `SELECT f.name AS post_id, u.username FROM preferences f JOIN users u ON u.id = f.user_id
            WHERE f.category = 'flagged_post' AND f.value = 'true' AND f.name = ANY($1) ORDER BY u.username`,
          [ids],
        )
      : [];
    // Mattermost's buildPostAttachments: the post's files that are not deleted, oldest first.
    const files = withAttachments && ids.length ? await this.fileInfos.forPosts(ids) : new Map<string, Array<AttachmentRow>>();
    const group = <T extends { post_id: string }>(rows: T[]) => {
      const map = new Map<string, T[]>();
      for (const row of rows) map.set(row.post_id, [...(map.get(row.post_id) ?? []), row]);
      return map;
    };
    const reactionsOf = group(reactions);
    const flagsOf = group(flags);
    const post = (p: RawPost): PostRow => ({
      username: p.username,
      type: p.type,
      message: p.message,
      props: p.props,
      create_at: p.create_at,
      edit_at: p.edit_at,
      is_pinned: p.is_pinned,
      reactions: (reactionsOf.get(p.id) ?? []).map(({ username, emoji_name, create_at }) => ({ username, emoji_name, create_at })),
      flagged_by: (flagsOf.get(p.id) ?? []).map((f) => f.username),
      attachments: (files.get(p.id) ?? []).map(({ id, path }) => ({ id, path })),
    });
    const repliesOf = new Map<string, PostRow[]>();
    for (const r of replies) repliesOf.set(r.root_id, [...(repliesOf.get(r.root_id) ?? []), post(r)]);
    return { post, replies: (rootId: string) => repliesOf.get(rootId) ?? [] };
  }
}
