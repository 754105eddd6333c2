import { notFound } from '#common';

/** A team_members row; `roles` holds the full role string (see scheme-roles.ts). */
export interface TeamMemberRow {
  team_id: string;
  user_id: string;
  roles: string;
  delete_at: number;
  scheme_guest: boolean;
  scheme_user: boolean;
  scheme_admin: boolean;
  create_at: number;
}

/** A channel_members row; `roles` holds the full role string (see scheme-roles.ts). */
export interface ChannelMemberRow {
  channel_id: string;
  user_id: string;
  roles: string;
  last_viewed_at: number;
  msg_count: number;
  mention_count: number;
  mention_count_root: number;
  urgent_mention_count: number;
  msg_count_root: number;
  notify_props: Record<string, string>;
  last_update_at: number;
  scheme_guest: boolean;
  scheme_user: boolean;
  scheme_admin: boolean;
}

/** What joining and leaving need to know about a channel (the channels area's ChannelRow has these). */
export interface MembershipChannel {
  id: string;
  team_id: string;
}

/** The role strings a permission check reads for a user in a channel: the channel member's and the channel's team member's. */
export interface ChannelPermissionRoles {
  member_roles: string | null;
  team_roles: string | null;
}

export function defaultChannelNotifyProps(): Record<string, string> {
  return {
    desktop: 'default',
    email: 'default',
    mark_unread: 'all',
    push: 'default',
    ignore_channel_mentions: 'default',
    channel_auto_follow_threads: 'off',
  };
}

export const teamMemberNotFound = () => notFound('app.team.get_member.missing.app_error', 'No team member found for that user ID and team ID.');
