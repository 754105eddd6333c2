import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '#config';
import { EmailNotificationsService } from '../email/email-notifications.service.js';
import { EphemeralService } from '../commands/ephemeral/ephemeral.service.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { notificationChannelName } from '../posts/post-events.js';
import { PostCreated, PostCreatedListeners } from '../posts/post-created-listeners.js';
import { notificationNameFormat } from '../push/notification-names.js';
import { PushNotificationsService } from '../push/push-notifications.service.js';
import { StatusService } from '../status/status.service.js';
import { TeamsRepository } from '../teams/teams.repository.js';
import { CollapsedThreads } from '../threads/collapsed-threads.js';
import { userDisplayName, type UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { NotificationPlan, PlannedNotification, planNotifications, RuleMember } from './notification-rules.js';
import type { PostNotification } from './post-notification.js';

/**
 * Who hears of a new post by push and by email (Mattermost's SendNotifications after the
 * mentions, which the posts area has already counted and announced): it runs on the node that
 * created the post, once per post, after the answer, and hands each recipient's notification to
 * the push and email areas. Reads are for the few users concerned (the mentioned, the thread's
 * followers, members who want a push for every message), never for the whole channel; the
 * channel's members and their props come with the post's mentions.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  private readonly log = new Logger('notifications');

  constructor(
    private readonly created: PostCreatedListeners,
    private readonly users: UsersRepository,
    private readonly statuses: StatusService,
    private readonly channelMembers: ChannelMembersRepository,
    private readonly teams: TeamsRepository,
    private readonly collapsedThreads: CollapsedThreads,
    private readonly ephemeral: EphemeralService,
    private readonly config: ConfigService,
    private readonly push: PushNotificationsService,
    private readonly email: EmailNotificationsService,
  ) {}

  onModuleInit(): void {
    this.created.add((event) => this.postCreated(event), { integrationPosts: true });
  }

  async postCreated(event: PostCreated): Promise<void> {
    if (event.channel.delete_at > 0) return; // archived channels notify nobody
    this.warnChannelMentionsDisabled(event);
    const cfg = this.config.get();
    const settings = {
      sendEmail: cfg.EmailSettings.SendEmailNotifications,
      sendPush: cfg.EmailSettings.SendPushNotifications && cfg.EmailSettings.PushNotificationServer !== '',
      requireEmailVerification: cfg.EmailSettings.RequireEmailVerification,
      collapsedThreadsAllowed: this.collapsedThreads.allowed(),
    };
    if (!settings.sendEmail && !settings.sendPush) return;

    const { post, mentions } = event;
    const candidates = candidatesOf(event);
    if (candidates.length === 0) return; // most posts: nobody mentioned, nobody wants every push
    const members = await this.ruleMembers(event, candidates);
    const hereOnly = mentions.channelWide.here && !mentions.channelWide.channel && !mentions.channelWide.all;
    const plan = planNotifications(
      { post, channelType: event.channel.type, kinds: mentions.kinds, members, threadFollowers: event.crtFollowerIds, settings, now: Date.now() },
      hereOnly,
    );
    if (plan.push.length + plan.email.length > 0) await this.deliver(event, plan, members);
  }

  /** The rule inputs of the users concerned: their profile, status, collapsed threads and props here. */
  private async ruleMembers(event: PostCreated, ids: string[]): Promise<Map<string, RuleMember & { user: UserRow }>> {
    const propsByUser = new Map(event.mentions.members.map((m) => [m.user_id, m]));
    const isReply = event.post.root_id !== '';
    const [users, statuses, crt, lastViewed] = await Promise.all([
      this.users.byIds(ids),
      this.statuses.getMany(ids),
      isReply ? this.collapsedThreads.forUsers(ids) : Promise.resolve(new Set<string>()),
      this.channelMembers.lastViewedBy(event.channel.id, ids),
    ]);
    const statusByUser = new Map(statuses.map((s) => [s.user_id, s]));
    const result = new Map<string, RuleMember & { user: UserRow }>();
    for (const user of users) {
      const props = propsByUser.get(user.id);
      if (!props) continue; // not (or no longer) a member: Mattermost's missing profile
      const status = statusByUser.get(user.id);
      // The channel this user reads (Mattermost's ActiveChannel): the one they viewed since their last activity.
      const viewedHere = (lastViewed.get(user.id) ?? 0) >= (status?.last_activity_at ?? Infinity);
      result.set(user.id, {
        user,
        userId: user.id,
        userProps: user.notify_props ?? {},
        channelProps: props.channel_notify_props ?? {},
        status: {
          status: status?.status ?? 'offline',
          last_activity_at: status?.last_activity_at ?? 0,
          dnd_end_time: status?.dnd_end_time ?? 0,
          activeChannelId: viewedHere ? event.channel.id : undefined,
        },
        collapsedThreads: crt.has(user.id),
        isBot: user.is_bot,
        deleted: user.delete_at > 0,
        emailVerified: user.email_verified,
      });
    }
    return result;
  }

  private async deliver(event: PostCreated, plan: NotificationPlan, members: Map<string, RuleMember & { user: UserRow }>): Promise<void> {
    const cfg = this.config.get();
    const team = event.channel.team_id ? ((await this.teams.byId(event.channel.team_id)) ?? null) : null;
    // The sender as notifications name them (GetNotificationNameFormat, without the reader's preference): full names only when public.
    const format = notificationNameFormat(cfg.PrivacySettings.ShowFullName, undefined, cfg.TeamSettings.TeammateNameDisplay);
    const senderName = event.senderName ?? userDisplayName(event.poster, format, '@');
    const channelName = notificationChannelName({
      channel: event.channel,
      senderUsername: event.poster.username,
      memberUsernames: event.mentions.memberUsernames,
    });
    const base = {
      post: event.post,
      channel: event.channel,
      team: team && { id: team.id, name: team.name, display_name: team.display_name },
      sender: event.poster,
      senderName,
      channelName,
    };
    const notification = ({ userId, ...why }: PlannedNotification): PostNotification => {
      const m = members.get(userId)!;
      return { ...base, ...why, recipient: m.user, collapsedThreads: m.collapsedThreads };
    };
    this.push.sendPostNotifications(plan.push.map(notification));
    for (const e of plan.email) this.email.sendPostNotification(notification(e));
    this.log.debug(`post ${event.post.id}: ${plan.push.length} push, ${plan.email.length} email notifications`);
  }

  /**
   * In a channel larger than MaxNotificationsPerChannel, channel-wide mentions notify nobody; the
   * poster is told so by an ephemeral post for each kind used (api.post.disabled_*).
   */
  private warnChannelMentionsDisabled({ post, mentions }: PostCreated): void {
    if (!mentions.tooManyForChannelMentions) return;
    const users = this.config.get().TeamSettings.MaxNotificationsPerChannel;
    const used = (['here', 'channel', 'all'] as const).filter((k) => mentions.channelWide[k]);
    for (const kind of used) {
      this.ephemeral.send(post.user_id, {
        channel_id: post.channel_id,
        root_id: post.root_id,
        create_at: post.create_at + 1,
        message: `@${kind} has been disabled because the channel has more than ${users} users.`,
      });
    }
  }
}

/** The users a post may notify: mentioned, following its thread, or wanting a push for every message. */
function candidatesOf(event: PostCreated): string[] {
  const ids = new Set<string>([...event.mentions.kinds.keys(), ...event.crtFollowerIds]);
  if (event.channel.type !== 'D') {
    for (const m of event.mentions.members) {
      if (m.user_notify_props?.push === 'all' || m.channel_notify_props?.push === 'all') ids.add(m.user_id);
    }
  }
  return [...ids];
}
