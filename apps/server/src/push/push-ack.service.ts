import { Injectable } from '@nestjs/common';
import { AppError, badRequest } from '#common';
import { ConfigService } from '#config';
import type { Session } from '../common/session.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { PostAccess } from '../posts/post-access.service.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { userDisplayName } from '../users/user.model.js';
import { NamedUser, notificationChannelTitle, notificationNameFormat } from './notification-names.js';
import { PushMetrics } from './push-metrics.js';
import { PushNotificationAck, toWire } from './push-notification.js';
import { PushNotificationsService } from './push-notifications.service.js';
import { PushSender } from './push-sender.js';

const NAME_FORMAT_PREFERENCE = { category: 'display_settings', name: 'name_format' } as const;

export const ackParseError = () =>
  badRequest('api.push_notifications_ack.message.parse.app_error', 'An error occurred building the push notification ack message.');

export const pushDisabled = () => new AppError('', 'api.push_notification.disabled.app_error', 'Push Notifications are disabled on this server.', 501);

/** The ack's fields and their JSON types (model.PushNotificationAck); a wrong type is a decode error there. */
const ACK_FIELDS: Array<[keyof PushNotificationAck, 'string' | 'number' | 'boolean']> = [
  ['id', 'string'],
  ['received_at', 'number'],
  ['platform', 'string'],
  ['type', 'string'],
  ['post_id', 'string'],
  ['is_id_loaded', 'boolean'],
];

/** The ack a mobile app posted, decoded as Go's json.Decoder would (unknown fields ignored, wrong types refused). */
export function parseAck(body: unknown): PushNotificationAck {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw ackParseError();
  const input = body as Record<string, unknown>;
  const ack: PushNotificationAck = { id: '', received_at: 0, platform: '', type: '', post_id: '', is_id_loaded: false };
  for (const [key, kind] of ACK_FIELDS) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== kind || (kind === 'number' && !Number.isSafeInteger(value))) throw ackParseError();
    (ack as unknown as Record<string, unknown>)[key] = value;
  }
  return ack;
}

/**
 * POST /notifications/ack (pushNotificationAck): a mobile app says a push arrived. The ack goes on
 * to the push proxy (its delivery metrics) without the answer waiting for it, `message` acks are
 * counted, and an ack of an id-only push (`is_id_loaded`) is answered with the full message of
 * its post, for a caller who may read that post: the content id_loaded kept off the push services.
 */
@Injectable()
export class PushAckService {
  constructor(
    private readonly config: ConfigService,
    private readonly push: PushNotificationsService,
    private readonly sender: PushSender,
    private readonly metrics: PushMetrics,
    private readonly access: PostAccess,
    private readonly users: UsersRepository,
    private readonly members: ChannelMembersRepository,
    private readonly preferences: PreferencesRepository,
  ) {}

  /** `{status: "OK"}`, the post's message (id_loaded), or nothing (an id-loaded ack without a post, as Mattermost). */
  async ack(session: Session, body: unknown): Promise<Record<string, unknown> | undefined> {
    const ack = parseAck(body);
    if (!this.config.get().EmailSettings.SendPushNotifications) throw pushDisabled();
    if (ack.type === 'message') this.metrics.count('acked');
    // Mattermost waits for the proxy and fails a plain ack it could not relay (500); the app
    // does nothing with either answer, so the relay runs after the answer and its failure is
    // only logged (PushSender).
    void this.sender.relayAck(ack);
    if (!ack.is_id_loaded) return { status: 'OK' };
    if (ack.post_id === '' || ack.type !== 'message') return undefined;
    return this.fullMessage(session, ack.post_id);
  }

  /** GetNotificationMessage: the post's `full` message as the caller would have got it (404 or 403 when they may not read it). */
  private async fullMessage(session: Session, postId: string): Promise<Record<string, unknown>> {
    const { post, channel } = await this.access.readablePost(session, postId);
    const recipientId = session.user_id;
    const sender = await this.users.byId(post.user_id);
    const format = await this.nameFormat(recipientId);
    const senderUser: NamedUser = sender ?? { id: post.user_id, username: '', first_name: '', last_name: '', nickname: '' };
    const members = channel.type === 'G' ? await this.users.byIds(await this.members.userIds(channel.id)) : [];
    const collapsedThreads = await this.push.collapsedThreadsFor(recipientId);
    const msg = await this.push.buildPostMessage(
      {
        post,
        channel,
        senderName: userDisplayName(senderUser, format),
        channelName: notificationChannelTitle(channel, senderUser, members, recipientId, format),
        // The mention flags only change the generic texts, and this answer is always the full one.
        explicitMention: false,
        channelWideMention: false,
        replyToThreadType: '',
        collapsedThreads,
      },
      recipientId,
      'full',
    );
    return toWire(msg);
  }

  private async nameFormat(userId: string): Promise<string> {
    const cfg = this.config.get();
    if (!cfg.PrivacySettings.ShowFullName) return 'username';
    const pref = await this.preferences.one(userId, NAME_FORMAT_PREFERENCE.category, NAME_FORMAT_PREFERENCE.name);
    return notificationNameFormat(true, pref?.value, cfg.TeamSettings.TeammateNameDisplay);
  }
}
