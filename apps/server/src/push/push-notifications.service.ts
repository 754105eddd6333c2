import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import { ConfigService } from '#config';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { ReadStateChange, ReadStateListeners, ViewedChannel } from '../membership/read-state-listeners.js';
import type { PostNotification } from '../notifications/post-notification.js';
import { CollapsedThreads } from '../threads/collapsed-threads.js';
import { PushMetrics } from './push-metrics.js';
import {
  buildClearPush,
  buildPostPush,
  buildSessionExpiredPush,
  buildTestPush,
  buildUpdateBadgePush,
  PushBuildSettings,
  PushPostInput,
} from './push-message.js';
import { PushContents, PushNotification } from './push-notification.js';
import { PushProxyClient } from './push-proxy-client.js';
import { DeviceSession, PushSender } from './push-sender.js';
import { WorkQueue } from './work-queue.js';

/** What the queue holds: Mattermost's hub notification types, each built when a worker takes it. */
export type PushJob =
  /** A post's pushes to its recipients, sent together (their devices and badges read in one query each). */
  | { kind: 'post'; ns: PostNotification[] }
  /** `rootId` set: a thread was read, cleared only for a user with collapsed threads on. */
  | { kind: 'clear'; userId: string; channelId: string; rootId: string; skipSessionId: string }
  | { kind: 'update_badge'; userId: string };

/** Workers draining the queue (Mattermost runs NumCPU × 8 sends at once; each here awaits one proxy request per device). */
export const PUSH_WORKERS = Math.min(32, Math.max(4, availableParallelism() * 4));

/** How long a stopping server lets queued pushes go out before ending what is left. */
const SHUTDOWN_GRACE_MS = 5_000;
/** Drops are logged at most this often (a full queue drops many in a row). */
const DROP_LOG_INTERVAL_MS = 10_000;
/** Proxy requests one post's job has in flight at once (a post to many devices; the workers add up). */
const SENDS_PER_JOB = 8;

/**
 * Mobile push notifications (Mattermost's PushNotificationsHub and notification_push.go): a
 * post's message to a recipient the notifications engine chose, `clear` when a user reads a
 * channel or thread (to their other devices), `update_badge` when they mark something unread, the
 * expired-session message and the test push. Everything that reaches the proxy goes through a
 * bounded queue (EmailSettings.PushNotificationBuffer) drained by a few workers: callers only
 * queue, so a slow or dead proxy never slows them, and a full queue drops (counted and logged).
 * The message, its badge and the user's devices are read when a worker takes the job, as in
 * Mattermost, so the badge is the count at sending time.
 */
@Injectable()
export class PushNotificationsService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('push');
  private readonly queue: WorkQueue<PushJob>;
  private droppedSinceLog = 0;
  private lastDropLog = 0;

  constructor(
    private readonly config: ConfigService,
    private readonly sender: PushSender,
    private readonly members: ChannelMembersRepository,
    private readonly collapsedThreads: CollapsedThreads,
    private readonly metrics: PushMetrics,
    private readonly readState: ReadStateListeners,
    private readonly client: PushProxyClient,
  ) {
    this.queue = new WorkQueue<PushJob>({
      capacity: () => this.config.get().EmailSettings.PushNotificationBuffer,
      workers: PUSH_WORKERS,
      run: (job) => this.run(job),
      onError: (err) => this.log.error(`a push job failed: ${err instanceof Error ? err.message : String(err)}`),
    });
  }

  onModuleInit(): void {
    this.readState.add((change) => this.readStateChanged(change));
  }

  async onApplicationShutdown(): Promise<void> {
    this.queue.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue.idle(), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS)))]);
    clearTimeout(timer);
    this.client.close();
  }

  /** canSendPushNotifications. */
  enabled(): boolean {
    return this.sender.enabled();
  }

  /**
   * Queues the pushes of a post to its recipients, on every device each is signed in on
   * (sendPushNotification, for all of a post's recipients at once). The engine calls it for the
   * recipients who should get one; it never throws and never waits on the network. The queue
   * counts each recipient as one notification (PushNotificationBuffer), as Mattermost's does.
   */
  sendPostNotifications(ns: PostNotification[]): void {
    if (ns.length > 0 && this.enabled()) this.enqueue({ kind: 'post', ns }, ns.length);
  }

  /** clearPushNotification: the channel (or thread) was read; every device but that session's drops its notifications. */
  clear(userId: string, channelId: string, rootId: string, skipSessionId: string): void {
    if (this.enabled()) this.enqueue({ kind: 'clear', userId, channelId, rootId, skipSessionId });
  }

  /** UpdateMobileAppBadge: every device shows the user's current badge. */
  updateBadge(userId: string): void {
    if (this.enabled()) this.enqueue({ kind: 'update_badge', userId });
  }

  /** Resolves once the queue is empty and no job runs (tests; a stopping server). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** NotifySessionsExpired, for one session: its device hears that it must sign in again. Never throws. */
  async sessionExpired(session: DeviceSession): Promise<void> {
    if (!this.enabled()) return;
    const cfg = this.config.get();
    const msg = buildSessionExpiredPush(cfg.TeamSettings.SiteName, cfg.ServiceSettings.SessionLengthMobileInHours);
    await this.sender.sendToDevice(msg, session, { signed: false });
  }

  /** SendTestPushNotification (GET /system/ping?device_id=): "true", "false" or "unknown". */
  sendTest(deviceId: string): Promise<'true' | 'false' | 'unknown'> {
    return this.sender.sendTest(deviceId, buildTestPush());
  }

  /** IsCRTEnabledForUser. */
  collapsedThreadsFor(userId: string): Promise<boolean> {
    return this.collapsedThreads.forUser(userId);
  }

  /** getUserBadgeCount: unread mentions, plus unread thread mentions with collapsed threads. */
  badgeFor(userId: string, collapsedThreads: boolean): Promise<number> {
    return this.members.badgeCount(userId, collapsedThreads);
  }

  /** The message of a post for one recipient under `contents`, with their badge (BuildPushNotificationMessage). */
  async buildPostMessage(n: PushPostInput, recipientId: string, contents: PushContents): Promise<PushNotification> {
    const msg = buildPostPush(n, { ...this.buildSettings(), contents });
    msg.badge = await this.badgeFor(recipientId, n.collapsedThreads);
    return msg;
  }

  private buildSettings(): PushBuildSettings {
    const cfg = this.config.get();
    return {
      contents: cfg.EmailSettings.PushNotificationContents as PushContents,
      usernameOverride: cfg.ServiceSettings.EnablePostUsernameOverride,
      iconOverride: cfg.ServiceSettings.EnablePostIconOverride,
    };
  }

  private readStateChanged(change: ReadStateChange): void {
    if (!this.enabled()) return;
    switch (change.kind) {
      case 'channels_viewed':
        for (const channel of change.channels) {
          if (hadNotifications(channel)) this.clear(change.userId, channel.channelId, '', change.sessionId);
        }
        return;
      case 'thread_read':
        // UpdateThreadReadForUser clears only a thread read to its end.
        if (change.unreadReplies === 0) this.clear(change.userId, change.channelId, change.threadId, change.sessionId);
        return;
      case 'marked_unread':
        this.updateBadge(change.userId);
        return;
    }
  }

  private enqueue(job: PushJob, weight = 1): void {
    if (this.queue.offer(job, weight)) return;
    this.metrics.count('dropped', weight);
    this.droppedSinceLog += weight;
    const now = Date.now();
    if (now - this.lastDropLog >= DROP_LOG_INTERVAL_MS) {
      this.log.warn(
        `the push queue is full (EmailSettings.PushNotificationBuffer ${this.config.get().EmailSettings.PushNotificationBuffer}): ` +
          `dropped ${this.droppedSinceLog} push notification(s) since the last report; is the push proxy slow or down?`,
      );
      this.droppedSinceLog = 0;
      this.lastDropLog = now;
    }
  }

  /** A post's pushes: the recipients' devices in one query, the badges of those with one in another, then the sends. */
  private async runPost(ns: PostNotification[]): Promise<void> {
    const devices = await this.sender.devicesOfMany([...new Set(ns.map((n) => n.recipient.id))]);
    const reached = ns.filter((n) => devices.has(n.recipient.id));
    // Nobody to tell: no badge to count either.
    if (reached.length === 0) return;
    const badges = await this.members.badgeCounts(
      reached.map((n) => n.recipient.id),
      reached.filter((n) => n.collapsedThreads).map((n) => n.recipient.id),
    );
    const settings = this.buildSettings();
    const sends: Array<() => Promise<unknown>> = [];
    for (const n of reached) {
      const msg = buildPostPush(n, settings);
      msg.badge = badges.get(n.recipient.id) ?? 0;
      for (const device of devices.get(n.recipient.id)!) sends.push(() => this.sender.sendToDevice(msg, device, { signed: true }));
    }
    await inBatches(sends, SENDS_PER_JOB);
  }

  private async run(job: PushJob): Promise<void> {
    if (job.kind === 'post') return this.runPost(job.ns);
    const userId = job.userId;
    const skip = job.kind === 'clear' ? job.skipSessionId : '';
    const devices = (await this.sender.devicesOf(userId)).filter((d) => d.id !== skip);
    // Nobody to tell: no badge to count either.
    if (devices.length === 0) return;
    const collapsedThreads = await this.collapsedThreadsFor(userId);
    let msg: PushNotification;
    if (job.kind === 'clear') {
      if (job.rootId !== '' && !collapsedThreads) return;
      msg = buildClearPush(job.channelId, job.rootId, await this.badgeFor(userId, collapsedThreads), collapsedThreads);
    } else {
      msg = buildUpdateBadgePush(await this.badgeFor(userId, collapsedThreads));
    }
    await this.sender.sendToDevices(msg, devices);
  }
}

/** Runs the tasks, at most `limit` at a time. */
async function inBatches(tasks: Array<() => Promise<unknown>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * Whether viewing the channel clears its notifications on the user's other devices (Mattermost's
 * MarkChannelsAsViewed): with push at `all` (the member's level, else the user's), when anything
 * was unread; at `mention`, when a mention was; never at `none`.
 */
export function hadNotifications(channel: ViewedChannel): boolean {
  const member = channel.memberPush;
  const level = member === '' || member === 'default' ? channel.userPush : member;
  if (level === 'all') return channel.unreadBefore > 0;
  if (level === 'mention') return channel.mentionsBefore > 0;
  return false;
}
