import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';

/**
 * The records a bulk export carries, read from a server's database and keyed by what an import
 * matches them by (names, usernames, channel + time + author), never by ids, which differ between
 * servers: the round trip's comparison is `diffSnapshots(before, after)`.
 *
 * Left out on purpose, because export_process does not carry them (README, Jobs): archived
 * channels and their posts, deleted and system posts, bots, ids and create/update times of teams,
 * channels and users, passwords and MFA, user props and timezone, profile pictures, the team's
 * email, invite id, company and allowed domains, a channel's creator, a reply's props and pin, a
 * membership's root-only and urgent counters, preferences other than favourites and flags, thread
 * followers, custom emoji, roles and schemes, webhooks, commands, sessions.
 */
export interface Snapshot {
  teams: Record<string, unknown>;
  channels: Record<string, unknown>;
  users: Record<string, unknown>;
  teamMembers: Record<string, unknown>;
  channelMembers: Record<string, unknown>;
  favorites: string[];
  posts: Record<string, unknown>;
  reactions: string[];
  flags: string[];
  files: Record<string, unknown>;
  directChannels: Record<string, unknown>;
}

/** The user notify props the import format names (UserNotifyPropsImportData). */
const USER_NOTIFY_KEYS = ['desktop', 'desktop_sound', 'email', 'push', 'push_status', 'channel', 'comments', 'mention_keys'];

const pick = (o: Record<string, unknown> | null, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o?.[k] ?? null]));

/**
 * Reads a server's records. `usernames` limits users (and everything of theirs) to the ones the
 * comparison is about: the importing server has an admin of its own.
 * `dataDir` is the server's local file store, to fingerprint the files' bytes.
 */
export async function snapshot(db: pg.Client, dataDir: string, usernames: string[]): Promise<Snapshot> {
  const q = async <T = any>(sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as T[];
  const liveChannel = `c.delete_at = 0 AND c.type IN ('O','P') AND t.delete_at = 0`;
  const exportedPost = `p.delete_at = 0 AND p.type NOT LIKE 'system\\_%'`;
  const s: Snapshot = {
    teams: {},
    channels: {},
    users: {},
    teamMembers: {},
    channelMembers: {},
    favorites: [],
    posts: {},
    reactions: [],
    flags: [],
    files: {},
    directChannels: {},
  };

  for (const t of await q(`SELECT name, display_name, type, description, allow_open_invite FROM teams WHERE delete_at = 0`)) s.teams[t.name] = t;
  for (const c of await q(
    `SELECT t.name AS team, c.name, c.display_name, c.type, c.header, c.purpose FROM channels c JOIN teams t ON t.id = c.team_id WHERE ${liveChannel}`,
  )) {
    s.channels[`${c.team}/${c.name}`] = c;
  }
  for (const u of await q(
    `SELECT username, email, auth_service, auth_data, nickname, first_name, last_name, position, roles, locale, delete_at, notify_props
       FROM users WHERE NOT is_bot AND username = ANY($1)`,
    [usernames],
  )) {
    s.users[u.username] = { ...u, notify_props: pick(u.notify_props, USER_NOTIFY_KEYS) };
  }
  for (const m of await q(
    `SELECT t.name AS team, u.username, tm.roles, tm.scheme_user, tm.scheme_admin, tm.scheme_guest FROM team_members tm
       JOIN teams t ON t.id = tm.team_id JOIN users u ON u.id = tm.user_id
      WHERE tm.delete_at = 0 AND t.delete_at = 0 AND u.username = ANY($1)`,
    [usernames],
  )) {
    s.teamMembers[`${m.team}/${m.username}`] = m;
  }
  for (const m of await q(
    `SELECT t.name AS team, c.name AS channel, u.username, cm.roles, cm.scheme_user, cm.scheme_admin, cm.notify_props, cm.msg_count, cm.mention_count, cm.last_viewed_at
       FROM channel_members cm JOIN channels c ON c.id = cm.channel_id JOIN teams t ON t.id = c.team_id JOIN users u ON u.id = cm.user_id
      WHERE ${liveChannel} AND u.username = ANY($1)
        AND EXISTS (SELECT 1 FROM team_members tm WHERE tm.team_id = t.id AND tm.user_id = u.id AND tm.delete_at = 0)`,
    [usernames],
  )) {
    s.channelMembers[`${m.team}/${m.channel}/${m.username}`] = { ...m, notify_props: pick(m.notify_props, ['desktop', 'push', 'mark_unread']) };
  }

  // Where a channel is, by name: team/name for team channels, the sorted member names for DMs and GMs.
  const where = new Map<string, string>();
  for (const c of await q(`SELECT c.id, t.name AS team, c.name FROM channels c JOIN teams t ON t.id = c.team_id WHERE ${liveChannel}`))
    where.set(c.id, `${c.team}/${c.name}`);
  for (const c of await q(
    `SELECT c.id, c.type, c.header,
            ARRAY(SELECT u.username FROM channel_members cm JOIN users u ON u.id = cm.user_id WHERE cm.channel_id = c.id ORDER BY u.username) AS members
       FROM channels c WHERE c.type IN ('D','G') AND c.delete_at = 0`,
  )) {
    if (!c.members.every((m: string) => usernames.includes(m))) continue;
    const key = `${c.type}:${c.members.join(',')}`;
    where.set(c.id, key);
    s.directChannels[key] = { type: c.type, header: c.header, members: c.members };
  }
  for (const f of await q(
    `SELECT f.name AS channel_id, u.username FROM preferences f JOIN users u ON u.id = f.user_id
      WHERE f.category = 'favorite_channel' AND f.value = 'true' AND u.username = ANY($1)`,
    [usernames],
  )) {
    if (where.has(f.channel_id)) s.favorites.push(`${where.get(f.channel_id)} ${f.username}`);
  }

  // Posts by channel, time and author; a reply also by its root's key.
  const posts = await q(
    `SELECT p.id, p.channel_id, p.root_id, u.username, p.create_at, p.edit_at, p.is_pinned, p.type, p.message, p.props, p.file_ids
       FROM posts p JOIN users u ON u.id = p.user_id WHERE ${exportedPost} AND u.username = ANY($1)`,
    [usernames],
  );
  const keyOf = new Map<string, string>();
  for (const p of posts) if (where.has(p.channel_id)) keyOf.set(p.id, `${where.get(p.channel_id)} @${p.create_at} ${p.username}`);
  for (const p of posts) {
    const key = keyOf.get(p.id);
    if (!key || (p.root_id && !keyOf.has(p.root_id))) continue;
    s.posts[key] = {
      root: p.root_id ? keyOf.get(p.root_id) : null,
      type: p.type,
      message: p.message,
      edit_at: p.edit_at,
      // The export carries a reply's pin and props not (Mattermost's ReplyImportData has neither).
      ...(p.root_id ? {} : { is_pinned: p.is_pinned, props: p.props }),
      files: p.file_ids.length,
    };
  }
  for (const r of await q(
    `SELECT r.post_id, u.username, r.emoji_name, r.create_at FROM reactions r JOIN users u ON u.id = r.user_id WHERE u.username = ANY($1)`,
    [usernames],
  )) {
    if (keyOf.has(r.post_id)) s.reactions.push(`${keyOf.get(r.post_id)} :${r.emoji_name}: ${r.username} @${r.create_at}`);
  }
  for (const f of await q(
    `SELECT f.name AS post_id, u.username FROM preferences f JOIN users u ON u.id = f.user_id WHERE f.category = 'flagged_post' AND f.value = 'true' AND u.username = ANY($1)`,
    [usernames],
  )) {
    if (keyOf.has(f.post_id)) s.flags.push(`${keyOf.get(f.post_id)} flagged by ${f.username}`);
  }
  for (const f of await q(
    `SELECT post_id, name, extension, size, mime_type, width, height, has_preview_image, path FROM file_infos WHERE delete_at = 0 AND post_id <> ''`,
  )) {
    if (!keyOf.has(f.post_id)) continue;
    const bytes = createHash('sha256')
      .update(readFileSync(join(dataDir, f.path)))
      .digest('hex');
    const { path: _path, post_id, ...fields } = f;
    s.files[`${keyOf.get(post_id)} ${f.name}`] = { ...fields, sha256: bytes };
  }
  s.favorites.sort();
  s.reactions.sort();
  s.flags.sort();
  return s;
}

/** Every difference between two snapshots, one line each ("where: field: before → after"); none when they match. */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const section of Object.keys(before) as Array<keyof Snapshot>) {
    const a = before[section];
    const b = after[section];
    if (Array.isArray(a) || Array.isArray(b)) {
      const left = new Set(a as string[]);
      const right = new Set(b as string[]);
      for (const v of left) if (!right.has(v)) out.push(`${section}: missing after: ${v}`);
      for (const v of right) if (!left.has(v)) out.push(`${section}: extra after: ${v}`);
      continue;
    }
    const ra = a as Record<string, Record<string, unknown>>;
    const rb = b as Record<string, Record<string, unknown>>;
    for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
      if (!(key in rb)) {
        out.push(`${section} ${key}: missing after`);
        continue;
      }
      if (!(key in ra)) {
        out.push(`${section} ${key}: extra after`);
        continue;
      }
      for (const field of new Set([...Object.keys(ra[key]), ...Object.keys(rb[key])])) {
        const x = JSON.stringify(ra[key][field]);
        const y = JSON.stringify(rb[key][field]);
        if (x !== y) out.push(`${section} ${key}: ${field}: ${x} → ${y}`);
      }
    }
  }
  return out;
}
