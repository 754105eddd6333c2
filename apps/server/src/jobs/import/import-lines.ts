import { isUnstorableText, runeCount } from '#common';
import { GROUP_MAX_USERS, GROUP_MIN_USERS, isValidChannelName } from '../../channels/channel.model.js';
import { POST_MESSAGE_MAX_RUNES, POST_PROPS_MAX_RUNES } from '../../posts/post.model.js';
import { isReservedTeamName, isValidTeamName } from '../../teams/team.model.js';
import { isValidUsername } from '../../users/user.model.js';

/**
 * Reading and checking the lines of Mattermost's bulk import format (app/imports/import_types.go,
 * import_validators.go): one JSON object a line, `{"type": "<kind>", "<kind>": {...}}`. A line that
 * does not pass is an ImportLineError carrying Mattermost's error id, so that the job can name the
 * line and the id, as Mattermost's import_process job does (its data's line_number and error).
 */

export class ImportLineError extends Error {
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportLineError';
  }
}

const fail = (id: string, message: string): never => {
  throw new ImportLineError(id, message);
};

export interface ReactionData {
  user: string;
  emoji_name: string;
  create_at: number;
}

export interface AttachmentData {
  /** As written in the line; the archive holds the bytes at `data/<path>`. */
  path: string;
}

export interface ReplyData {
  user: string;
  type: string;
  message: string;
  props: Record<string, unknown>;
  create_at: number;
  edit_at: number;
  is_pinned: boolean;
  flagged_by: string[];
  reactions: ReactionData[];
  attachments: AttachmentData[];
}

export interface PostData extends ReplyData {
  team: string;
  channel: string;
  replies: ReplyData[];
}

export interface DirectPostData extends ReplyData {
  channel_members: string[];
  replies: ReplyData[];
}

export interface TeamData {
  name: string;
  display_name: string;
  type: 'O' | 'I';
  description: string | undefined;
  allow_open_invite: boolean | undefined;
}

export interface ChannelData {
  team: string;
  name: string;
  display_name: string;
  type: 'O' | 'P';
  header: string | undefined;
  purpose: string | undefined;
  deleted_at: number | undefined;
}

export interface UserChannelData {
  name: string;
  roles: string | undefined;
  notify_props: { desktop?: string; mobile?: string; mark_unread?: string };
  favorite: boolean | undefined;
  mention_count: number | undefined;
  msg_count: number | undefined;
  last_viewed_at: number | undefined;
}

export interface UserTeamData {
  name: string;
  roles: string | undefined;
  theme: string | undefined;
  channels: UserChannelData[];
}

export interface UserData {
  username: string;
  email: string;
  auth_service: string | undefined;
  auth_data: string | undefined;
  password: string | undefined;
  nickname: string | undefined;
  first_name: string | undefined;
  last_name: string | undefined;
  position: string | undefined;
  roles: string | undefined;
  locale: string | undefined;
  delete_at: number | undefined;
  email_verified: boolean | undefined;
  /** Keys as the import format names them (mobile, mobile_push_status, ...). */
  notify_props: Record<string, string> | undefined;
  /** Mattermost's preference fields of a user line (theme, use_military_time, ...), as given. */
  preferences: Record<string, string>;
  teams: UserTeamData[];
}

export interface DirectChannelData {
  members: string[];
  favorited_by: string[];
  header: string | undefined;
}

export type ImportLine =
  | { type: 'version'; version: number }
  | { type: 'team'; team: TeamData }
  | { type: 'channel'; channel: ChannelData }
  | { type: 'user'; user: UserData }
  | { type: 'post'; post: PostData }
  | { type: 'direct_channel'; direct_channel: DirectChannelData }
  | { type: 'direct_post'; direct_post: DirectPostData }
  /** Kinds of the format this server reads but does not import (roles, schemes, bots, emoji). */
  | { type: 'skipped'; kind: string };

/** Kinds Mattermost's format has that are accepted and left out here (README: what the import leaves out). */
export const SKIPPED_KINDS = new Set(['role', 'scheme', 'bot', 'emoji']);

// Mattermost's limits (model.TeamDisplayNameMaxRunes and friends).
const TEAM_NAME_MAX = 64;
const TEAM_DISPLAY_NAME_MAX = 64;
const TEAM_DESCRIPTION_MAX = 255;
const CHANNEL_DISPLAY_NAME_MAX = 64;
const CHANNEL_HEADER_MAX = 1024;
const CHANNEL_PURPOSE_MAX = 250;
const EMAIL_MAX = 128;
const AUTH_DATA_MAX = 128;
const PASSWORD_MAX = 72;
const EMOJI_NAME_MAX = 64;
const AUTH_SERVICES = new Set(['', 'email', 'gitlab', 'saml', 'ldap', 'google', 'office365', 'openid']);
const USER_NOTIFY_LEVELS = new Set(['all', 'mention', 'none']);
const CHANNEL_NOTIFY_LEVELS = new Set(['default', 'all', 'mention', 'none']);
const MARK_UNREAD_LEVELS = new Set(['all', 'mention']);
const PUSH_STATUS_LEVELS = new Set(['online', 'away', 'offline', 'dnd']);
const COMMENTS_LEVELS = new Set(['any', 'root', 'never']);
const EMAIL_INTERVALS = new Set(['immediately', 'fifteen', 'hour']);
const TRUE_FALSE = new Set(['true', 'false']);
/** The preference fields of a user line (UserImportData), read as strings. */
export const USER_PREFERENCE_FIELDS = [
  'theme',
  'use_military_time',
  'collapse_previews',
  'message_display',
  'colorize_usernames',
  'channel_display_mode',
  'tutorial_step',
  'use_markdown_preview',
  'use_formatting',
  'show_unread_section',
  'email_interval',
] as const;
const ROLE_NAME = /^[a-z0-9_]+$/;

/** A value that is absent or null reads as undefined (Go's nil pointer). */
type Obj = Record<string, unknown>;

function str(o: Obj, key: string, wrongType: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(wrongType, `${key} is not a string`);
  if (isUnstorableText(v as string)) fail(wrongType, `${key} holds text that cannot be stored`);
  return v as string;
}

function num(o: Obj, key: string, wrongType: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(wrongType, `${key} is not a whole number`);
  return v as number;
}

function bool(o: Obj, key: string, wrongType: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(wrongType, `${key} is not true or false`);
  return v as boolean;
}

function obj(v: unknown, wrongType: string, what: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(wrongType, `${what} is not an object`);
  return v as Obj;
}

function list(o: Obj, key: string, wrongType: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(wrongType, `${key} is not a list`);
  return v as unknown[];
}

function strings(o: Obj, key: string, wrongType: string): string[] {
  return list(o, key, wrongType).map((s) => (typeof s === 'string' ? s : fail(wrongType, `${key} holds something other than names`)));
}

const JSON_DECODE = 'app.import.bulk_import.json_decode.error';

/** model.IsValidUserRoles, in the part that can be checked without the roles table: role names. */
function validRoles(roles: string): boolean {
  return roles.split(' ').every((r) => r === '' || ROLE_NAME.test(r));
}

/**
 * One line, parsed and checked. `lineNumber` 1 must be the version line (Mattermost's
 * processImportDataFileVersionLine); a version other than 1 is refused.
 */
export function parseImportLine(text: string, lineNumber: number): ImportLine {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return fail(JSON_DECODE, `the line is not JSON: ${err instanceof Error ? err.message : err}`);
  }
  const line = obj(raw, JSON_DECODE, 'the line');
  const type = line.type;
  if (lineNumber === 1) {
    if (type !== 'version' || line.version === undefined || line.version === null)
      fail('app.import.process_import_data_file_version_line.invalid_version.error', 'the first line must be the version line');
    if (line.version !== 1) fail('app.import.bulk_import.unsupported_version.error', `version ${JSON.stringify(line.version)} is not supported`);
    return { type: 'version', version: 1 };
  }
  if (typeof type !== 'string') return fail(JSON_DECODE, 'the line has no type');
  const body = (key: string) => {
    const v = line[key];
    if (v === undefined || v === null) fail(`app.import.import_line.null_${key}.error`, `the ${key} line has no ${key} data`);
    return obj(v, JSON_DECODE, key);
  };
  switch (type) {
    case 'team':
      return { type, team: teamData(body('team')) };
    case 'channel':
      return { type, channel: channelData(body('channel')) };
    case 'user':
      return { type, user: userData(body('user')) };
    case 'post':
      return { type, post: postData(body('post')) };
    case 'direct_channel':
      return { type, direct_channel: directChannelData(body('direct_channel')) };
    case 'direct_post':
      return { type, direct_post: directPostData(body('direct_post')) };
    case 'version':
      return fail('app.import.import_line.unknown_line_type.error', 'a version line after the first line');
    default:
      if (SKIPPED_KINDS.has(type)) {
        body(type);
        return { type: 'skipped', kind: type };
      }
      return fail('app.import.import_line.unknown_line_type.error', `unknown line type ${JSON.stringify(type)}`);
  }
}

function teamData(o: Obj): TeamData {
  const e = (s: string) => `app.import.validate_team_import_data.${s}.error`;
  const name = str(o, 'name', e('name_characters'));
  if (name === undefined) return fail(e('name_missing'), 'the team has no name');
  if (name.length > TEAM_NAME_MAX) fail(e('name_length'), 'the team name is too long');
  if (isReservedTeamName(name)) fail(e('name_reserved'), `the team name ${name} is reserved`);
  if (!isValidTeamName(name.toLowerCase())) fail(e('name_characters'), `the team name ${JSON.stringify(name)} has characters a team name cannot have`);
  const displayName = str(o, 'display_name', e('display_name_length'));
  if (displayName === undefined) return fail(e('display_name_missing'), 'the team has no display name');
  if (runeCount(displayName) === 0 || runeCount(displayName) > TEAM_DISPLAY_NAME_MAX)
    fail(e('display_name_length'), 'the team display name is empty or too long');
  const type = str(o, 'type', e('type_invalid'));
  if (type === undefined) return fail(e('type_missing'), 'the team has no type');
  if (type !== 'O' && type !== 'I') return fail(e('type_invalid'), `team type ${JSON.stringify(type)} is neither O nor I`);
  const description = str(o, 'description', e('description_length'));
  if (description !== undefined && description.length > TEAM_DESCRIPTION_MAX) fail(e('description_length'), 'the team description is too long');
  return { name: name.toLowerCase(), display_name: displayName, type, description, allow_open_invite: bool(o, 'allow_open_invite', JSON_DECODE) };
}

function channelData(o: Obj): ChannelData {
  const e = (s: string) => `app.import.validate_channel_import_data.${s}.error`;
  const team = str(o, 'team', JSON_DECODE);
  if (team === undefined) return fail(e('team_missing'), 'the channel has no team');
  const name = str(o, 'name', e('name_characters'));
  if (name === undefined) return fail(e('name_missing'), 'the channel has no name');
  if (name.length > 64) fail(e('name_length'), 'the channel name is too long');
  if (!isValidChannelName(name.toLowerCase())) fail(e('name_characters'), `the channel name ${JSON.stringify(name)} has characters a channel name cannot have`);
  let displayName = str(o, 'display_name', e('display_name_length'));
  // An empty display name becomes the name, as in Mattermost.
  if (displayName === undefined || displayName === '') displayName = name;
  else if (runeCount(displayName) > CHANNEL_DISPLAY_NAME_MAX) fail(e('display_name_length'), 'the channel display name is too long');
  const type = str(o, 'type', e('type_invalid'));
  if (type === undefined) return fail(e('type_missing'), 'the channel has no type');
  if (type !== 'O' && type !== 'P') return fail(e('type_invalid'), `channel type ${JSON.stringify(type)} is neither O nor P`);
  const header = str(o, 'header', e('header_length'));
  if (header !== undefined && runeCount(header) > CHANNEL_HEADER_MAX) fail(e('header_length'), 'the channel header is too long');
  const purpose = str(o, 'purpose', e('purpose_length'));
  if (purpose !== undefined && runeCount(purpose) > CHANNEL_PURPOSE_MAX) fail(e('purpose_length'), 'the channel purpose is too long');
  return {
    team: team.toLowerCase(),
    name: name.toLowerCase(),
    display_name: displayName,
    type,
    header,
    purpose,
    deleted_at: num(o, 'deleted_at', JSON_DECODE),
  };
}

function userData(o: Obj): UserData {
  const e = (s: string) => `app.import.validate_user_import_data.${s}.error`;
  const username = str(o, 'username', e('username_invalid'));
  if (username === undefined) return fail(e('username_missing'), 'the user has no username');
  if (!isValidUsername(username.toLowerCase())) fail(e('username_invalid'), `the username ${JSON.stringify(username)} is not valid`);
  const email = str(o, 'email', e('email_length'));
  if (email === undefined) return fail(e('email_missing'), 'the user has no email');
  if (email === '' || email.length > EMAIL_MAX) fail(e('email_length'), 'the email is empty or too long');
  const authData = str(o, 'auth_data', e('auth_data_length'));
  const password = str(o, 'password', e('password_length'));
  if (authData !== undefined && password !== undefined) fail(e('auth_data_and_password'), 'a user has auth data or a password, not both');
  if (authData !== undefined && authData.length > AUTH_DATA_MAX) fail(e('auth_data_length'), 'the auth data is too long');
  const authService = str(o, 'auth_service', JSON_DECODE);
  if (!authService !== !authData) fail(e('auth_data_and_service_dependency'), 'auth_service and auth_data go together');
  if (authService !== undefined && !AUTH_SERVICES.has(authService))
    fail('app.import.validate_user_teams_import_data.invalid_auth_service.error', `unknown auth service ${JSON.stringify(authService)}`);
  if (password !== undefined && (password === '' || password.length > PASSWORD_MAX)) fail(e('password_length'), 'the password is empty or too long');
  const limited = (key: string, max: number, id: string) => {
    const v = str(o, key, e(id));
    if (v !== undefined && runeCount(v) > max) fail(e(id), `${key} is too long`);
    return v;
  };
  const roles = str(o, 'roles', e('roles_invalid'));
  if (roles !== undefined && !validRoles(roles)) fail(e('roles_invalid'), 'the roles are not valid');
  let notify: Record<string, string> | undefined;
  if (o.notify_props !== undefined && o.notify_props !== null) {
    const n = obj(o.notify_props, JSON_DECODE, 'notify_props');
    notify = {};
    const check = (key: string, allowed: Set<string> | null, id: string) => {
      const v = str(n, key, e(id));
      if (v === undefined) return;
      if (allowed && !allowed.has(v)) fail(e(id), `notify_props.${key} ${JSON.stringify(v)} is not valid`);
      notify![key] = v;
    };
    check('desktop', USER_NOTIFY_LEVELS, 'notify_props_desktop_invalid');
    check('desktop_sound', TRUE_FALSE, 'notify_props_desktop_sound_invalid');
    check('email', TRUE_FALSE, 'notify_props_email_invalid');
    check('mobile', USER_NOTIFY_LEVELS, 'notify_props_mobile_invalid');
    check('mobile_push_status', PUSH_STATUS_LEVELS, 'notify_props_mobile_push_status_invalid');
    check('channel', TRUE_FALSE, 'notify_props_channel_trigger_invalid');
    check('comments', COMMENTS_LEVELS, 'notify_props_comments_trigger_invalid');
    check('mention_keys', null, 'notify_props_mention_keys_invalid');
  }
  const preferences: Record<string, string> = {};
  for (const key of USER_PREFERENCE_FIELDS) {
    const v = str(o, key, JSON_DECODE);
    if (v !== undefined) preferences[key] = v;
  }
  const checkPref = (key: string, allowed: Set<string>, id: string) => {
    if (preferences[key] !== undefined && !allowed.has(preferences[key])) fail(e(id), `${key} ${JSON.stringify(preferences[key])} is not valid`);
  };
  checkPref('use_markdown_preview', TRUE_FALSE, 'advanced_props_feature_markdown_preview');
  checkPref('use_formatting', TRUE_FALSE, 'advanced_props_formatting');
  checkPref('show_unread_section', TRUE_FALSE, 'advanced_props_show_unread_section');
  checkPref('email_interval', EMAIL_INTERVALS, 'advanced_props_email_interval');
  return {
    username: username.toLowerCase(),
    email: email.toLowerCase(),
    auth_service: authService,
    auth_data: authData,
    password,
    nickname: limited('nickname', 64, 'nickname_length'),
    first_name: limited('first_name', 64, 'first_name_length'),
    last_name: limited('last_name', 64, 'last_name_length'),
    position: limited('position', 128, 'position_length'),
    roles,
    locale: limited('locale', 5, 'locale_length'),
    delete_at: num(o, 'delete_at', JSON_DECODE),
    email_verified: bool(o, 'email_verified', JSON_DECODE),
    notify_props: notify,
    preferences,
    teams: list(o, 'teams', JSON_DECODE).map((t) => userTeamData(obj(t, JSON_DECODE, 'a team of the user'))),
  };
}

function userTeamData(o: Obj): UserTeamData {
  const e = (s: string) => `app.import.validate_user_teams_import_data.${s}.error`;
  const name = str(o, 'name', JSON_DECODE);
  if (name === undefined) return fail(e('team_name_missing'), 'a team of the user has no name');
  const roles = str(o, 'roles', e('invalid_roles'));
  if (roles !== undefined && !validRoles(roles)) fail(e('invalid_roles'), 'the team roles are not valid');
  const theme = str(o, 'theme', e('invalid_team_theme'));
  if (theme !== undefined && theme.trim() !== '') {
    try {
      obj(JSON.parse(theme), e('invalid_team_theme'), 'the team theme');
    } catch {
      fail(e('invalid_team_theme'), 'the team theme is not a JSON object');
    }
  }
  return {
    name: name.toLowerCase(),
    roles,
    theme,
    channels: list(o, 'channels', JSON_DECODE).map((c) => userChannelData(obj(c, JSON_DECODE, 'a channel of the user'))),
  };
}

function userChannelData(o: Obj): UserChannelData {
  const e = (s: string) => `app.import.validate_user_channels_import_data.${s}.error`;
  const name = str(o, 'name', JSON_DECODE);
  if (name === undefined) return fail(e('channel_name_missing'), 'a channel of the user has no name');
  const roles = str(o, 'roles', e('invalid_roles'));
  if (roles !== undefined && !validRoles(roles)) fail(e('invalid_roles'), 'the channel roles are not valid');
  const notify: UserChannelData['notify_props'] = {};
  if (o.notify_props !== undefined && o.notify_props !== null) {
    const n = obj(o.notify_props, JSON_DECODE, 'notify_props');
    const check = (key: 'desktop' | 'mobile' | 'mark_unread', allowed: Set<string>, id: string) => {
      const v = str(n, key, e(id));
      if (v === undefined) return;
      if (!allowed.has(v)) fail(e(id), `notify_props.${key} ${JSON.stringify(v)} is not valid`);
      notify[key] = v;
    };
    check('desktop', CHANNEL_NOTIFY_LEVELS, 'invalid_notify_props_desktop');
    check('mobile', CHANNEL_NOTIFY_LEVELS, 'invalid_notify_props_mobile');
    check('mark_unread', MARK_UNREAD_LEVELS, 'invalid_notify_props_mark_unread');
  }
  return {
    name: name.toLowerCase(),
    roles,
    notify_props: notify,
    favorite: bool(o, 'favorite', JSON_DECODE),
    mention_count: num(o, 'mention_count', JSON_DECODE),
    msg_count: num(o, 'msg_count', JSON_DECODE),
    last_viewed_at: num(o, 'last_viewed_at', JSON_DECODE),
  };
}

function reactionData(o: Obj, parentCreateAt: number): ReactionData {
  const e = (s: string) => `app.import.validate_reaction_import_data.${s}.error`;
  const user = str(o, 'user', JSON_DECODE);
  if (user === undefined) return fail(e('user_missing'), 'a reaction has no user');
  const emoji = str(o, 'emoji_name', e('emoji_name_length'));
  if (emoji === undefined) return fail(e('emoji_name_missing'), 'a reaction has no emoji name');
  if (runeCount(emoji) > EMOJI_NAME_MAX) fail(e('emoji_name_length'), 'the emoji name is too long');
  const createAt = num(o, 'create_at', JSON_DECODE);
  if (createAt === undefined) return fail(e('create_at_missing'), 'a reaction has no create_at');
  if (createAt === 0) fail(e('create_at_zero'), 'a reaction has create_at 0');
  if (createAt < parentCreateAt) fail(e('create_at_before_parent'), 'a reaction is older than its post');
  return { user: user.toLowerCase(), emoji_name: emoji, create_at: createAt };
}

/**
 * Mattermost's ValidateAttachmentPathForImport: a relative path that stays inside the archive's
 * data/ folder once cleaned.
 */
export function attachmentEntryName(path: string): string | null {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) return null;
  const segments: string[] = [];
  for (const s of `data/${path}`.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      segments.pop();
      continue;
    }
    segments.push(s);
  }
  if (segments[0] !== 'data' || segments.length < 2) return null;
  return segments.join('/');
}

function attachmentData(o: Obj, attachmentError: string): AttachmentData {
  const path = str(o, 'path', attachmentError);
  if (path === undefined || attachmentEntryName(path) === null) fail(attachmentError, `invalid attachment path ${JSON.stringify(path ?? '')}`);
  return { path: path! };
}

/** The fields a post, a reply and a direct post share. */
function messageData(o: Obj, kind: 'post' | 'reply' | 'direct_post'): ReplyData {
  const e = (s: string) => `app.import.validate_${kind}_import_data.${s}.error`;
  const user = str(o, 'user', JSON_DECODE);
  if (user === undefined) return fail(e('user_missing'), `the ${kind} has no user`);
  const message = str(o, 'message', e('message_length'));
  if (message === undefined) return fail(e('message_missing'), `the ${kind} has no message`);
  if (runeCount(message) > POST_MESSAGE_MAX_RUNES) fail(e('message_length'), `the ${kind}'s message is too long`);
  const createAt = num(o, 'create_at', JSON_DECODE);
  if (createAt === undefined) return fail(e('create_at_missing'), `the ${kind} has no create_at`);
  if (createAt === 0) fail(e('create_at_zero'), `the ${kind} has create_at 0`);
  const props = o.props === undefined || o.props === null ? {} : obj(o.props, JSON_DECODE, 'props');
  if (runeCount(JSON.stringify(props)) > POST_PROPS_MAX_RUNES) fail('app.import.validate_post_import_data.props_too_large.error', 'the props are too large');
  const attachmentError = `app.import.validate_${kind}_import_data.attachment.error`;
  return {
    user: user.toLowerCase(),
    type: str(o, 'type', JSON_DECODE) ?? '',
    message,
    props,
    create_at: createAt,
    edit_at: num(o, 'edit_at', JSON_DECODE) ?? 0,
    is_pinned: bool(o, 'is_pinned', JSON_DECODE) ?? false,
    flagged_by: strings(o, 'flagged_by', JSON_DECODE).map((u) => u.toLowerCase()),
    reactions: list(o, 'reactions', JSON_DECODE).map((r) => reactionData(obj(r, JSON_DECODE, 'a reaction'), createAt)),
    attachments: list(o, 'attachments', attachmentError).map((a) => attachmentData(obj(a, attachmentError, 'an attachment'), attachmentError)),
  };
}

/** Replies older than their root are taken, as Mattermost does (it only logs them). */
function replies(o: Obj): ReplyData[] {
  return list(o, 'replies', JSON_DECODE).map((r) => messageData(obj(r, JSON_DECODE, 'a reply'), 'reply'));
}

function postData(o: Obj): PostData {
  const e = (s: string) => `app.import.validate_post_import_data.${s}.error`;
  const team = str(o, 'team', JSON_DECODE);
  if (team === undefined) return fail(e('team_missing'), 'the post has no team');
  const channel = str(o, 'channel', JSON_DECODE);
  if (channel === undefined) return fail(e('channel_missing'), 'the post has no channel');
  const base = messageData(o, 'post');
  return { ...base, team: team.toLowerCase(), channel: channel.toLowerCase(), replies: replies(o) };
}

function memberCount(n: number, tooFew: string, tooMany: string): void {
  if (n === 2) return;
  if (n < GROUP_MIN_USERS) fail(tooFew, 'too few members for a direct or group channel');
  if (n > GROUP_MAX_USERS) fail(tooMany, 'too many members for a group channel');
}

function directChannelData(o: Obj): DirectChannelData {
  const e = (s: string) => `app.import.validate_direct_channel_import_data.${s}.error`;
  if ((o.members === undefined || o.members === null) && (o.participants === undefined || o.participants === null))
    fail(e('members_required'), 'the direct channel has no members');
  // Newer exports name the members as participants ({username}); older ones as members (names).
  const members =
    o.members !== undefined && o.members !== null
      ? strings(o, 'members', JSON_DECODE)
      : list(o, 'participants', JSON_DECODE).map(
          (p) => str(obj(p, JSON_DECODE, 'a participant'), 'username', JSON_DECODE) ?? fail(e('members_required'), 'a participant has no username'),
        );
  memberCount(members.length, e('members_too_few'), e('members_too_many'));
  const header = str(o, 'header', e('header_length'));
  if (header !== undefined && runeCount(header) > CHANNEL_HEADER_MAX) fail(e('header_length'), 'the header is too long');
  const lower = members.map((m) => m.toLowerCase());
  const favoritedBy = strings(o, 'favorited_by', JSON_DECODE).map((u) => u.toLowerCase());
  for (const f of favoritedBy) if (!lower.includes(f)) fail(e('unknown_favoriter'), `${f} favorited a channel they are not a member of`);
  return { members: lower, favorited_by: favoritedBy, header };
}

function directPostData(o: Obj): DirectPostData {
  const e = (s: string) => `app.import.validate_direct_post_import_data.${s}.error`;
  if (o.channel_members === undefined || o.channel_members === null) fail(e('channel_members_required'), 'the direct post has no channel members');
  const members = strings(o, 'channel_members', JSON_DECODE).map((m) => m.toLowerCase());
  memberCount(members.length, e('channel_members_too_few'), e('channel_members_too_many'));
  const base = messageData(o, 'direct_post');
  for (const f of base.flagged_by) if (!members.includes(f)) fail(e('unknown_flagger'), `${f} flagged a post of a channel they are not a member of`);
  return { ...base, channel_members: members, replies: replies(o) };
}

/** Every attachment a post or direct post line names, with its replies'. */
export function attachmentsOf(p: PostData | DirectPostData): AttachmentData[] {
  return [...p.attachments, ...p.replies.flatMap((r) => r.attachments)];
}
