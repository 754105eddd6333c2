import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { permissionDenied } from '#common';
import { ConfigService } from '#config';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { UsersRepository } from '../users/users.repository.js';
import { TypingThrottle } from './typing-throttle.js';

/** Who is asking: a session, or anything carrying the same user id and system roles. */
export type TypingActor = Pick<Session, 'user_id' | 'roles'>;

/**
 * "X is typing…" notices (app.PublishUserTyping). Used by POST /users/{id}/typing and by the
 * WebSocket `user_typing` action (which calls `userTyping(session, session.user_id, …)`), so both
 * share one throttle.
 */
@Injectable()
export class TypingService {
  /** Per node: in a cluster a user typing through two nodes at once may get one notice per node. */
  private readonly throttle = new TypingThrottle();

  constructor(
    private readonly permissions: PermissionsService,
    private readonly users: UsersRepository,
    private readonly publisher: EventPublisher,
    private readonly config: ConfigService,
  ) {}

  /**
   * `actor` announces that `userId` is typing in a channel (or a thread when parentId is set).
   * Only for oneself unless manage_system; the typing user must be allowed to post there. A notice
   * within the throttle window of the last one for the same user and channel is accepted and
   * dropped: the members already show the indicator.
   */
  async userTyping(actor: TypingActor, userId: string, channelId: string, parentId = ''): Promise<void> {
    if (actor.user_id !== userId && !this.permissions.hasSystem(actor as Session, 'manage_system')) {
      throw permissionDenied('manage_system');
    }
    const now = performance.now();
    const windowMs = this.throttleWindowMs();
    // The channel's composer and each of its threads are throttled apart: typing a reply right
    // after typing in the channel is news to those who have the thread open.
    const place = parentId ? `${channelId}/${parentId}` : channelId;
    // Only a notice that passed the checks below is remembered, so a flood costs no lookups.
    if (this.throttle.recent(userId, place, now, windowMs)) return;
    const typist = actor.user_id === userId ? actor : await this.asUser(userId);
    if (!typist || !(await this.permissions.hasChannel(typist as Session, channelId, 'create_post'))) {
      throw permissionDenied('create_post');
    }
    if (this.throttle.admit(userId, place, now, windowMs)) this.publish(userId, channelId, parentId);
  }

  /** Tells the channel's members, except the typist, who is typing where. */
  publish(userId: string, channelId: string, parentId: string): void {
    this.publisher.publish(newEvent(WsEvents.Typing, { channel_id: channelId, omit_users: { [userId]: true } }, { parent_id: parentId, user_id: userId }));
  }

  /**
   * Half of ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds (default 5,000). Clients
   * already wait that long between notices (the webapp's emitUserTyping) and receivers show the
   * indicator for that long after each one (its handleUserTypingEvent); taking half as the floor
   * means network jitter never drops a real client's notice, while a flood gets at most two
   * notices per interval through. 0 or less: no throttle.
   */
  private throttleWindowMs(): number {
    const interval = this.config.get().ServiceSettings.TimeBetweenUserTypingUpdatesMilliseconds;
    return Number.isFinite(interval) && interval > 0 ? interval / 2 : 0;
  }

  /** The permission checks only read the user id and system roles. */
  private async asUser(userId: string): Promise<TypingActor | undefined> {
    const user = await this.users.byId(userId);
    return user && user.delete_at === 0 ? { user_id: user.id, roles: user.roles } : undefined;
  }
}
