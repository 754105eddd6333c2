/**
 * Lines of Mattermost's bulk export format (app/imports/import_types.go: LineImportData): one JSON
 * object per line, `{"type": "<kind>", "<kind>": {...}}`, in the order an import needs them:
 * version, teams, channels, users (with their memberships), posts, direct channels, direct posts.
 */

export interface TeamRow {
  name: string;
  display_name: string;
  type: string;
  description: string;
  allow_open_invite: boolean;
}

export interface ChannelRow {
  team_name: string;
  name: string;
  display_name: string;
  type: string;
  header: string;
  purpose: string;
}

export interface UserRow {
  username: string;
  email: string;
  auth_service: string;
  auth_data: string | null;
  nickname: string;
  first_name: string;
  last_name: string;
  position: string;
  roles: string;
  locale: string;
  delete_at: number;
  notify_props: Record<string, string>;
}

export interface ChannelMembershipRow {
  name: string;
  roles: string;
  notify_props: Record<string, string>;
  favorite: boolean;
  mention_count: number;
  msg_count: number;
  last_viewed_at: number;
}

export interface TeamMembershipRow {
  name: string;
  roles: string;
  channels: ChannelMembershipRow[];
}

export interface ReactionRow {
  username: string;
  emoji_name: string;
  create_at: number;
}

/** A file attached to an exported post: `path` is where its bytes are in the file store. */
export interface AttachmentRow {
  id: string;
  path: string;
}

export interface PostRow {
  username: string;
  type: string;
  message: string;
  props: Record<string, unknown>;
  create_at: number;
  edit_at: number;
  is_pinned: boolean;
  reactions: ReactionRow[];
  flagged_by: string[];
  /** Only read when the export includes attachments; empty otherwise. */
  attachments: AttachmentRow[];
}

export interface RootPostRow extends PostRow {
  team_name: string;
  channel_name: string;
  replies: PostRow[];
}

export interface DirectPostRow extends PostRow {
  members: string[];
  replies: PostRow[];
}

const line = (type: string, body: unknown) => JSON.stringify({ type, [type]: body }) + '\n';

export function versionLine(generatorVersion: string, created: Date): string {
  return JSON.stringify({ type: 'version', version: 1, info: { generator: 'mmchat', version: generatorVersion, created: created.toISOString() } }) + '\n';
}

export function teamLine(t: TeamRow): string {
  return line('team', { name: t.name, display_name: t.display_name, type: t.type, description: t.description, allow_open_invite: t.allow_open_invite });
}

export function channelLine(c: ChannelRow): string {
  return line('channel', { team: c.team_name, name: c.name, display_name: c.display_name, type: c.type, header: c.header, purpose: c.purpose });
}

const USER_NOTIFY_KEYS: Array<[string, string]> = [
  ['desktop', 'desktop'],
  ['desktop_sound', 'desktop_sound'],
  ['email', 'email'],
  ['mobile', 'push'],
  ['mobile_push_status', 'push_status'],
  ['channel', 'channel'],
  ['comments', 'comments'],
  ['mention_keys', 'mention_keys'],
];

export function userLine(u: UserRow, teams: TeamMembershipRow[]): string {
  // UserNotifyPropsImportData names two props differently from the user's notify_props.
  const notify: Record<string, string> = {};
  for (const [exportKey, propKey] of USER_NOTIFY_KEYS) {
    const value = u.notify_props?.[propKey] ?? u.notify_props?.[exportKey];
    if (typeof value === 'string') notify[exportKey] = value;
  }
  return line('user', {
    username: u.username,
    email: u.email,
    auth_service: u.auth_service,
    ...(u.auth_data ? { auth_data: u.auth_data } : {}),
    nickname: u.nickname,
    first_name: u.first_name,
    last_name: u.last_name,
    position: u.position,
    roles: u.roles,
    locale: u.locale,
    ...(u.delete_at ? { delete_at: u.delete_at } : {}),
    ...(teams.length ? { teams: teams.map(teamMembership) } : {}),
    notify_props: notify,
  });
}

function teamMembership(t: TeamMembershipRow) {
  return {
    name: t.name,
    roles: t.roles,
    ...(t.channels.length
      ? {
          channels: t.channels.map((c) => ({
            name: c.name,
            roles: c.roles,
            notify_props: {
              desktop: c.notify_props?.desktop ?? 'default',
              mobile: c.notify_props?.push ?? 'default',
              mark_unread: c.notify_props?.mark_unread ?? 'all',
            },
            ...(c.favorite ? { favorite: true } : {}),
            ...(c.mention_count ? { mention_count: c.mention_count } : {}),
            ...(c.msg_count ? { msg_count: c.msg_count } : {}),
            ...(c.last_viewed_at ? { last_viewed_at: c.last_viewed_at } : {}),
          })),
        }
      : {}),
  };
}

function reactions(list: ReactionRow[]) {
  return list.map((r) => ({ user: r.username, create_at: r.create_at, emoji_name: r.emoji_name }));
}

/**
 * AttachmentImportData: the file's path in the store, relative — the archive holds its bytes at
 * `data/<path>` and Mattermost's import looks them up there (model.ExportDataDir).
 */
function attachments(list: AttachmentRow[]) {
  return list.map((a) => ({ path: a.path }));
}

function reply(r: PostRow) {
  return {
    user: r.username,
    type: r.type,
    message: r.message,
    create_at: r.create_at,
    edit_at: r.edit_at,
    ...(r.flagged_by.length ? { flagged_by: r.flagged_by } : {}),
    ...(r.reactions.length ? { reactions: reactions(r.reactions) } : {}),
    ...(r.attachments.length ? { attachments: attachments(r.attachments) } : {}),
  };
}

export function postLine(p: RootPostRow): string {
  return line('post', {
    team: p.team_name,
    channel: p.channel_name,
    user: p.username,
    type: p.type,
    message: p.message,
    props: p.props ?? {},
    create_at: p.create_at,
    edit_at: p.edit_at,
    ...(p.flagged_by.length ? { flagged_by: p.flagged_by } : {}),
    ...(p.reactions.length ? { reactions: reactions(p.reactions) } : {}),
    ...(p.replies.length ? { replies: p.replies.map(reply) } : {}),
    ...(p.attachments.length ? { attachments: attachments(p.attachments) } : {}),
    ...(p.is_pinned ? { is_pinned: true } : {}),
  });
}

export function directChannelLine(members: string[], header: string, favoritedBy: string[]): string {
  return line('direct_channel', { members, favorited_by: favoritedBy.length ? favoritedBy : null, header });
}

export function directPostLine(p: DirectPostRow): string {
  return line('direct_post', {
    channel_members: p.members,
    user: p.username,
    type: p.type,
    message: p.message,
    props: p.props ?? {},
    create_at: p.create_at,
    edit_at: p.edit_at,
    flagged_by: p.flagged_by.length ? p.flagged_by : null,
    reactions: p.reactions.length ? reactions(p.reactions) : null,
    replies: p.replies.length ? p.replies.map(reply) : null,
    attachments: p.attachments.length ? attachments(p.attachments) : null,
    ...(p.is_pinned ? { is_pinned: true } : {}),
  });
}
