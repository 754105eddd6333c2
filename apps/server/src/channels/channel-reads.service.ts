import { Injectable } from '@nestjs/common';
import { notFound } from '#common';
import { ConfigService } from '#config';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { ReadStateListeners } from '../membership/read-state-listeners.js';
import { ChannelAccess } from './channel-access.js';

/** Read state: viewing channels (marking them read) and per-channel unread counts. */
@Injectable()
export class ChannelReadsService {
  constructor(
    private readonly members: ChannelMembersRepository,
    private readonly access: ChannelAccess,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly config: ConfigService,
    private readonly readState: ReadStateListeners,
  ) {}

  /**
   * POST /channels/members/{uid}/view (App.ViewChannel): the viewed channel, and the one being
   * left, are marked read for the user. Channels the user is not in are skipped. Returns each
   * channel's last post time, which the member has now read up to (Mattermost's
   * last_viewed_at_times). One's own, or anyone's with edit_other_users.
   */
  async view(session: Session, userId: string, channelIds: string[]): Promise<Record<string, number>> {
    this.permissions.requireSelfOrAdmin(session, userId);
    const ids = [...new Set(channelIds.filter(Boolean))];
    if (ids.length === 0) return {};
    const viewed = await this.members.markViewed(userId, ids, Date.now());
    const times: Record<string, number> = {};
    for (const row of viewed) times[row.channel_id] = row.last_post_at;
    if (viewed.length) {
      // The user's other devices drop this channel's notifications (Mattermost's clearPushNotification).
      const channels = viewed.map((r) => ({
        channelId: r.channel_id,
        mentionsBefore: Number(r.mentions_before),
        unreadBefore: Number(r.unread_before),
        memberPush: r.member_push,
        userPush: r.user_push,
      }));
      this.readState.notify({ kind: 'channels_viewed', userId, sessionId: session.id, channels });
    }
    if (viewed.length && this.config.get().ServiceSettings.EnableChannelViewedMessages) {
      for (const { channel_id: channelId } of viewed) this.publisher.publish(newEvent(WsEvents.ChannelViewed, { user_id: userId }, { channel_id: channelId }));
      this.publisher.publish(newEvent(WsEvents.MultipleChannelsViewed, { user_id: userId }, { channel_times: times }));
    }
    return times;
  }

  /**
   * GET /users/{uid}/channels/{cid}/unread (App.GetChannelUnread): unread messages are the channel's
   * total minus what the member has read; muted-to-mentions channels report no unread messages.
   * One's own (or anyone's with edit_other_users), in a channel the caller may read.
   */
  async unread(session: Session, userId: string, channelId: string) {
    this.permissions.requireSelfOrAdmin(session, userId);
    await this.access.requireReadChannel(session, channelId);
    const row = await this.members.unread(channelId, userId);
    if (!row) throw notFound('app.channel.get_unread.app_error', 'Unable to get the channel unreads.', `channel_id=${channelId}`);
    const mentionOnly = row.notify_props?.mark_unread === 'mention';
    return {
      team_id: row.team_id,
      channel_id: row.channel_id,
      msg_count: mentionOnly ? 0 : Math.max(0, row.total_msg_count - row.msg_count),
      mention_count: row.mention_count,
      mention_count_root: row.mention_count_root,
      urgent_mention_count: row.urgent_mention_count,
      msg_count_root: mentionOnly ? 0 : Math.max(0, row.total_msg_count_root - row.msg_count_root),
      last_viewed_at: row.last_viewed_at,
    };
  }
}
