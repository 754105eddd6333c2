import { Injectable } from '@nestjs/common';
import { AppError, permissionDenied } from '#common';
import type { Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { Bot, botNotFound } from './bot.model.js';
import { BotsRepository } from './bots.repository.js';

/**
 * Who may act on a bot (Mattermost's SessionHasPermissionToManageBot and
 * SessionHasPermissionToUserOrBot). Shared by the bots area and by the users area's personal
 * access tokens, which a bot's manager creates and revokes for it.
 */
@Injectable()
export class BotAccess {
  constructor(
    private readonly bots: BotsRepository,
    private readonly permissions: PermissionsService,
  ) {}

  /**
   * The bot, when the session may manage it: its own bots need manage_bots, others'
   * manage_others_bots. Without the matching read permission the bot is "not found", so that the
   * answer does not tell that the user is a bot; with it, a permission error.
   */
  async requireManage(session: Session, botUserId: string): Promise<Bot> {
    const bot = await this.bots.get(botUserId, true);
    if (!bot) throw botNotFound(botUserId);
    const own = bot.owner_id === session.user_id;
    const manage = own ? 'manage_bots' : 'manage_others_bots';
    if (this.permissions.hasSystem(session, manage)) return bot;
    if (!this.permissions.hasSystem(session, own ? 'read_bots' : 'read_others_bots')) throw botNotFound(botUserId);
    throw permissionDenied(manage);
  }

  /**
   * Whether the session may act for `userId`: a bot it manages, or (the user is no bot, or one it
   * may not see) itself or anyone with edit_other_users.
   */
  async canActFor(session: Session, userId: string): Promise<boolean> {
    try {
      await this.requireManage(session, userId);
      return true;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.id !== 'store.sql_bot.get.missing.app_error') return false;
      return session.user_id === userId || this.permissions.hasSystem(session, 'edit_other_users');
    }
  }
}
