import { Injectable } from '@nestjs/common';
import { permissionDenied } from '#common';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { UsersRepository } from '../users/users.repository.js';

/** Who is asking: a session, or anything carrying the same user id and system roles. */
export type TypingActor = Pick<Session, 'user_id' | 'roles'>;

/**
 * "X is typing…" notices (app.PublishUserTyping). Used by POST /users/{id}/typing and by the
 * WebSocket `user_typing` action (which calls `userTyping(session, session.user_id, …)`).
 */
@Injectable()
export class TypingService {
  constructor(
    private readonly permissions: PermissionsService,
    private readonly users: UsersRepository,
    private readonly publisher: EventPublisher,
  ) {}

  /**
   * `actor` announces that `userId` is typing in a channel (or a thread when parentId is set).
   * Only for oneself unless manage_system; the typing user must be allowed to post there.
   */
  async userTyping(actor: TypingActor, userId: string, channelId: string, parentId = ''): Promise<void> {
    if (actor.user_id !== userId && !this.permissions.hasSystem(actor as Session, 'manage_system')) {
      throw permissionDenied('manage_system');
    }
    const typist = actor.user_id === userId ? actor : await this.asUser(userId);
    if (!typist || !(await this.permissions.hasChannel(typist as Session, channelId, 'create_post'))) {
      throw permissionDenied('create_post');
    }
    this.publish(userId, channelId, parentId);
  }

  /** Tells the channel's members, except the typist, who is typing where. */
  publish(userId: string, channelId: string, parentId: string): void {
    this.publisher.publish(newEvent(WsEvents.Typing, { channel_id: channelId, omit_users: { [userId]: true } }, { parent_id: parentId, user_id: userId }));
  }

  /** The permission checks only read the user id and system roles. */
  private async asUser(userId: string): Promise<TypingActor | undefined> {
    const user = await this.users.byId(userId);
    return user && user.delete_at === 0 ? { user_id: user.id, roles: user.roles } : undefined;
  }
}
