import type { ChannelRow } from '../channels/channel.model.js';
import { userDisplayName, type UserRow } from '../users/user.model.js';

/** TeamSettings.TeammateNameDisplay values (model.ShowUsername…). */
export type NameFormat = 'username' | 'nickname_full_name' | 'full_name';

export type NamedUser = Pick<UserRow, 'id' | 'username' | 'first_name' | 'last_name' | 'nickname'>;

/**
 * GetNotificationNameFormat: everyone is named by username when full names are hidden
 * (PrivacySettings.ShowFullName off); otherwise by the reader's display_settings/name_format
 * preference, or the server's TeammateNameDisplay.
 */
export function notificationNameFormat(showFullName: boolean, preference: string | undefined, teammateNameDisplay: string): string {
  if (!showFullName) return 'username';
  return preference || teammateNameDisplay;
}

/**
 * PostNotification.GetChannelName: a DM is named after the sender (`@name` when names are
 * usernames), a group message after its other members (sorted), any other channel by its
 * display name.
 */
export function notificationChannelTitle(
  channel: Pick<ChannelRow, 'type' | 'display_name'>,
  sender: NamedUser,
  members: NamedUser[],
  recipientId: string,
  format: string,
): string {
  if (channel.type === 'D') return userDisplayName(sender, format, '@');
  if (channel.type === 'G') {
    return members
      .filter((m) => m.id !== recipientId)
      .map((m) => userDisplayName(m, format))
      .sort()
      .join(', ');
  }
  return channel.display_name;
}
