import { createHash } from 'node:crypto';
import { badRequest, invalidUrlParam, isValidId, newId, runeCount } from '#common';
import type { ChannelMemberRow } from '../membership/membership.model.js';
import { explicitRoles } from '../membership/scheme-roles.js';

export type ChannelType = 'O' | 'P' | 'D' | 'G';

/** A channels row (column names are the wire names). */
export interface ChannelRow {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  team_id: string;
  type: ChannelType;
  display_name: string;
  name: string;
  header: string;
  purpose: string;
  last_post_at: number;
  last_root_post_at: number;
  total_msg_count: number;
  total_msg_count_root: number;
  extra_update_at: number;
  creator_id: string;
  scheme_id: string | null;
  group_constrained: boolean | null;
}

/** What a new channel is made of; the rest of its row starts at zero (no posts, no scheme). */
export type NewChannelFields = Pick<ChannelRow, 'team_id' | 'type' | 'name' | 'display_name'> & Partial<Pick<ChannelRow, 'header' | 'purpose' | 'creator_id'>>;

/** The row of a channel created now (a new id; created, updated and never deleted at `now`). */
export function newChannelRow(fields: NewChannelFields, now = Date.now()): ChannelRow {
  return {
    id: newId(),
    create_at: now,
    update_at: now,
    delete_at: 0,
    header: '',
    purpose: '',
    creator_id: '',
    ...fields,
    last_post_at: 0,
    last_root_post_at: 0,
    total_msg_count: 0,
    total_msg_count_root: 0,
    extra_update_at: 0,
    scheme_id: null,
    group_constrained: null,
  };
}

// Membership rows belong to the membership area; re-exported for the areas that read them with channels.
export type { ChannelMemberRow } from '../membership/membership.model.js';

export const TOWN_SQUARE = 'town-square';
export const OFF_TOPIC = 'off-topic';
export const GROUP_MIN_USERS = 3;
export const GROUP_MAX_USERS = 8;

const NAME_MAX = 64;
const DISPLAY_NAME_MAX = 64;
const HEADER_MAX = 1024;
const PURPOSE_MAX = 250;

// model.IsValidChannelIdentifier: lowercase letters, digits, '-' and '_', starting with a letter or digit.
const CHANNEL_NAME = /^[a-z0-9]+([a-z\-_0-9]+|(__)?)[a-z0-9]*$/;
const GROUP_NAME = /^[a-f0-9]{40}$/;

export function isValidChannelName(name: string): boolean {
  return name.length >= 1 && name.length <= NAME_MAX && CHANNEL_NAME.test(name);
}

/** A channel name from the URL, or 400 naming the parameter. */
export function urlChannelName(value: string): string {
  if (!isValidChannelName(value)) throw invalidUrlParam('channel_name');
  return value;
}

/** Names reserved for direct (`<id>__<id>`) and group (sha1 hex) channels. */
export function looksLikeDirectOrGroupName(name: string): boolean {
  if (GROUP_NAME.test(name)) return true;
  const parts = name.split('__');
  return parts.length === 2 && isValidId(parts[0]) && isValidId(parts[1]);
}

/** model.GetDMNameFromIds: the two ids in ascending order joined by "__". */
export function directChannelName(userA: string, userB: string): string {
  return userA > userB ? `${userB}__${userA}` : `${userA}__${userB}`;
}

/** model.GetGroupNameFromUserIds: sha1 (hex) of the sorted ids concatenated. */
export function groupChannelName(userIds: string[]): string {
  const hash = createHash('sha1');
  for (const id of [...userIds].sort()) hash.update(id);
  return hash.digest('hex');
}

/** model.GetGroupDisplayNameFromUsers: sorted usernames joined by ", ", cut to 64 characters. */
export function groupDisplayName(usernames: string[]): string {
  return [...usernames].sort().join(', ').slice(0, NAME_MAX);
}

/** The other member of a DM, as the client derives `teammate_id`. */
export function directChannelTeammate(name: string, userId: string): string {
  const [a, b] = name.split('__');
  return a === userId ? b : a;
}

function invalid(field: string, channelId: string): never {
  throw badRequest(`model.channel.is_valid.${field}.app_error`, `Invalid channel ${field.replace(/_/g, ' ')}.`, channelId ? `id=${channelId}` : '');
}

/** model.Channel.IsValid for the fields clients can set (open and private channels). */
export function validateChannel(c: Pick<ChannelRow, 'id' | 'type' | 'name' | 'display_name' | 'header' | 'purpose'>): void {
  if ([...c.display_name].length > DISPLAY_NAME_MAX) invalid('display_name', c.id);
  if (!isValidChannelName(c.name)) invalid('1_or_more', c.id);
  if (!['O', 'P', 'D', 'G'].includes(c.type)) invalid('type', c.id);
  if (runeCount(c.header) > HEADER_MAX) invalid('header', c.id);
  if (runeCount(c.purpose) > PURPOSE_MAX) invalid('purpose', c.id);
  if (c.type !== 'D' && c.type !== 'G' && looksLikeDirectOrGroupName(c.name)) invalid('name', c.id);
}

/** model.Channel as clients receive it. */
export function channelView(row: ChannelRow) {
  return {
    id: row.id,
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    team_id: row.team_id,
    type: row.type,
    display_name: row.display_name,
    name: row.name,
    header: row.header,
    purpose: row.purpose,
    last_post_at: row.last_post_at,
    total_msg_count: row.total_msg_count,
    extra_update_at: row.extra_update_at,
    creator_id: row.creator_id,
    scheme_id: row.scheme_id,
    props: null,
    group_constrained: row.group_constrained,
    shared: null,
    total_msg_count_root: row.total_msg_count_root,
    policy_id: null,
    last_root_post_at: row.last_root_post_at,
  };
}

export type ChannelView = ReturnType<typeof channelView>;

/** model.ChannelMember as clients receive it. */
export function channelMemberView(row: ChannelMemberRow) {
  return {
    channel_id: row.channel_id,
    user_id: row.user_id,
    roles: row.roles,
    last_viewed_at: row.last_viewed_at,
    msg_count: row.msg_count,
    mention_count: row.mention_count,
    mention_count_root: row.mention_count_root,
    urgent_mention_count: row.urgent_mention_count,
    msg_count_root: row.msg_count_root,
    notify_props: row.notify_props,
    last_update_at: row.last_update_at,
    scheme_guest: row.scheme_guest,
    scheme_user: row.scheme_user,
    scheme_admin: row.scheme_admin,
    explicit_roles: explicitRoles('channel', row.roles),
  };
}

export type ChannelMemberView = ReturnType<typeof channelMemberView>;

// The notify props a member may set (App.UpdateChannelMemberNotifyProps); others are ignored.
const NOTIFY_PROP_KEYS = [
  'mark_unread',
  'desktop',
  'desktop_sound',
  'desktop_notification_sound',
  'desktop_threads',
  'email',
  'push',
  'push_threads',
  'ignore_channel_mentions',
  'channel_auto_follow_threads',
];
const NOTIFY_LEVELS = ['default', 'all', 'mention', 'none'];

function invalidMember(field: string, value: string): never {
  throw badRequest(`model.channel_member.is_valid.${field}.app_error`, 'Invalid notify property value.', `${field}=${value}`);
}

/** Applies a notify-props update and checks the result as model.ChannelMember.IsValid does. */
export function mergeNotifyProps(current: Record<string, string>, input: Record<string, unknown>): Record<string, string> {
  const next = { ...current };
  for (const key of NOTIFY_PROP_KEYS) {
    const value = input[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') invalidMember('notify_props', String(value));
    next[key] = value;
  }
  if (!NOTIFY_LEVELS.includes(next.desktop ?? '')) invalidMember('notify_level', next.desktop ?? '');
  if (!['all', 'mention'].includes(next.mark_unread ?? '')) invalidMember('unread_level', next.mark_unread ?? '');
  if (next.push !== undefined && !NOTIFY_LEVELS.includes(next.push)) invalidMember('push_level', next.push);
  if (next.email !== undefined && !['default', 'true', 'false'].includes(next.email)) invalidMember('email_value', next.email);
  if (next.ignore_channel_mentions !== undefined && !['default', 'off', 'on'].includes(next.ignore_channel_mentions)) {
    invalidMember('ignore_channel_mentions_value', next.ignore_channel_mentions);
  }
  if (next.channel_auto_follow_threads !== undefined && !['off', 'on'].includes(next.channel_auto_follow_threads)) {
    invalidMember('channel_auto_follow_threads_value', next.channel_auto_follow_threads);
  }
  return next;
}
