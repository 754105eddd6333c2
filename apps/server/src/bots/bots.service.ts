import { Injectable, Logger } from '@nestjs/common';
import { badRequest, forbidden, invalidParam, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { sessionFor, type Session } from '../common/session.js';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsService } from '../channels/channels.service.js';
import { PostsService } from '../posts/posts.service.js';
import type { PublicUser, UserRow } from '../users/user.model.js';
import { isValidUsername } from '../users/user.model.js';
import { AccessTokensService } from '../users/access-tokens.service.js';
import { UserPatch, UsersService } from '../users/users.service.js';
import { BotAccess } from './bot-access.js';
import { Bot, botNotFound, BotPatch, BotRow, validateBotFields } from './bot.model.js';
import { BotsRepository } from './bots.repository.js';

/** The post a new bot sends its owner (Mattermost's PostTypeAddBotTeamsChannels, api.bot.teams_channels.add_message_mobile). */
export const ADD_BOT_TEAMS_CHANNELS = 'add_bot_teams_channels';
const ADD_TO_TEAMS_MESSAGE = 'Please add me to teams and channels you want me to interact in. To do this, use the browser or Mattermost Desktop App.';

export interface BotListQuery {
  includeDeleted: boolean;
  onlyOrphaned: boolean;
  page: number;
  perPage: number;
}

/** Bot-to-user conversion: the user patch of POST /bots/{id}/convert_to_user, whose password is required. */
export type ConvertPatch = UserPatch & { password?: string };

/**
 * Bots (Mattermost's api4/bot.go and app/bot.go): accounts for integrations, each a user with
 * `is_bot` and a bots row naming its owner. Who may see and change one is BotAccess's rule.
 */
@Injectable()
export class BotsService {
  private readonly log = new Logger('bots');

  constructor(
    private readonly repo: BotsRepository,
    private readonly access: BotAccess,
    private readonly users: UsersService,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly channels: ChannelsService,
    private readonly posts: PostsService,
    private readonly tokens: AccessTokensService,
  ) {}

  /**
   * POST /bots: create_bot, a caller that is no bot itself, and ServiceSettings.EnableBotAccountCreation
   * (403 api.bot.create_disabled), in that order. The bot's user is made, then its row; its owner
   * gets a direct message from it asking to be added to teams and channels.
   */
  async create(actor: Session, patch: BotPatch): Promise<Bot> {
    this.permissions.requireSystem(actor, 'create_bot');
    const caller = await this.users.get(actor.user_id).catch(() => undefined);
    if (caller?.is_bot) throw permissionDenied('create_bot');
    if (!this.config.get().ServiceSettings.EnableBotAccountCreation) {
      throw forbidden('api.bot.create_disabled', 'Bot creation has been disabled.');
    }
    const username = (patch.username ?? '').toLowerCase();
    if (!isValidUsername(username)) throw badRequest('model.bot.is_valid.username.app_error', 'Invalid username.');
    validateBotFields({ display_name: patch.display_name ?? '', description: patch.description ?? '' });
    const user = await this.users.createBotUser(username, patch.display_name ?? '');
    const now = Date.now();
    const row: BotRow = {
      user_id: user.id,
      description: patch.description ?? '',
      owner_id: actor.user_id,
      last_icon_update: 0,
      create_at: now,
      update_at: now,
      delete_at: 0,
    };
    await this.repo.insert(row);
    await this.greetOwner(user, actor.user_id);
    return { ...row, username: user.username, display_name: user.first_name };
  }

  /**
   * The new bot's first words to its owner, in their direct channel (App.CreateBot). A failure here
   * (a direct channel the server's rules refuse) is logged: the bot exists either way.
   */
  private async greetOwner(bot: UserRow, ownerId: string): Promise<void> {
    const session = sessionFor(bot);
    try {
      const channel = await this.channels.createDirect(session, [bot.id, ownerId]);
      await this.posts.create(
        session,
        {
          channel_id: channel.id,
          message: ADD_TO_TEAMS_MESSAGE,
          root_id: '',
          file_ids: [],
          props: {},
          pending_post_id: '',
          type: ADD_BOT_TEAMS_CHANNELS,
          create_at: 0,
        },
        false,
      );
    } catch (err) {
      this.log.warn(`bot ${bot.id} could not message its owner ${ownerId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** PUT /bots/{id}: a manager of the bot; the user's username and first name change with it (App.PatchBot). */
  async patch(actor: Session, botUserId: string, patch: BotPatch): Promise<Bot> {
    const bot = await this.access.requireManage(actor, botUserId);
    const next: Bot = {
      ...bot,
      username: patch.username ?? bot.username,
      display_name: patch.display_name ?? bot.display_name,
      description: patch.description ?? bot.description,
    };
    if (next.username === bot.username && next.display_name === bot.display_name && next.description === bot.description) return bot;
    validateBotFields(next);
    if (next.username !== bot.username || next.display_name !== bot.display_name) {
      const user = await this.users.patchBotUser(actor, botUserId, { username: next.username, displayName: next.display_name });
      next.username = user.username;
    }
    next.update_at = Date.now();
    await this.repo.update(next);
    return next;
  }

  /**
   * GET /bots/{id}: read_others_bots sees every bot; read_bots one's own. Any other caller is told
   * the bot does not exist, so that the answer does not reveal that the user is a bot.
   */
  async get(actor: Session, botUserId: string, includeDeleted: boolean): Promise<Bot> {
    const bot = await this.repo.get(botUserId, includeDeleted);
    if (!bot) throw botNotFound(botUserId);
    if (this.permissions.hasSystem(actor, 'read_others_bots')) return bot;
    if (bot.owner_id === actor.user_id && this.permissions.hasSystem(actor, 'read_bots')) return bot;
    throw botNotFound(botUserId);
  }

  /** GET /bots: every bot with read_others_bots, one's own with read_bots, else 403. */
  async list(actor: Session, q: BotListQuery): Promise<Bot[]> {
    let ownerId: string;
    if (this.permissions.hasSystem(actor, 'read_others_bots')) ownerId = '';
    else if (this.permissions.hasSystem(actor, 'read_bots')) ownerId = actor.user_id;
    else throw permissionDenied('read_bots');
    return this.repo.list({ ownerId, ...q });
  }

  /**
   * POST /bots/{id}/disable and /enable (App.UpdateBotActive): the bot's user is deactivated (its
   * sessions and tokens' sessions end, user_updated goes out) or reactivated with its tokens
   * working again, then its row.
   */
  async setActive(actor: Session, botUserId: string, active: boolean): Promise<Bot> {
    await this.access.requireManage(actor, botUserId);
    const user = await this.users.get(botUserId);
    if ((user.delete_at === 0) !== active) {
      await this.users.setBotActive(botUserId, active);
      if (active) await this.tokens.reopenSessions(botUserId);
    }
    const bot = await this.repo.get(botUserId, true);
    if (!bot) throw botNotFound(botUserId);
    if ((bot.delete_at === 0) === active) return bot;
    const now = Date.now();
    const next = { ...bot, delete_at: active ? 0 : now, update_at: now };
    await this.repo.update(next);
    return next;
  }

  /**
   * POST /bots/{id}/assign/{user_id}: a manager of the bot hands it to another user, who must not
   * be a bot (assign_bot's error). Mattermost accepts any id here; an unknown user is refused (404)
   * rather than left as the owner of record.
   */
  async assign(actor: Session, botUserId: string, ownerId: string): Promise<Bot> {
    const bot = await this.access.requireManage(actor, botUserId);
    const owner = await this.users.get(ownerId);
    if (owner.is_bot) throw permissionDenied('assign_bot');
    const next = { ...bot, owner_id: ownerId, update_at: Date.now() };
    await this.repo.update(next);
    return next;
  }

  /**
   * POST /users/{id}/convert_to_bot: manage_system. The account keeps its id and username and
   * becomes a bot it owns itself (model.BotFromUser, whose display name is the username).
   */
  async convertUserToBot(actor: Session, userId: string): Promise<Bot> {
    const user = await this.users.get(userId);
    this.permissions.requireSystem(actor, 'manage_system');
    if (user.is_bot || (await this.repo.get(userId, true))) {
      throw badRequest('app.bot.createbot.internal_error', 'The user is already a bot.', `user_id=${userId}`);
    }
    const now = Date.now();
    const row: BotRow = { user_id: user.id, description: '', owner_id: user.id, last_icon_update: 0, create_at: now, update_at: now, delete_at: 0 };
    await this.repo.insert(row);
    await this.users.setBot(user.id, true);
    return { ...row, username: user.username, display_name: user.username };
  }

  /**
   * POST /bots/{id}/convert_to_user (App.ConvertBotToUser): an active bot (404 otherwise), a patch
   * with a password (400 otherwise), then manage_system. With `setSystemAdmin` the user becomes a
   * system admin; the patch applies, the password is set, and the bots row goes.
   */
  async convertBotToUser(actor: Session, botUserId: string, patch: ConvertPatch, setSystemAdmin: boolean): Promise<PublicUser> {
    const bot = await this.repo.get(botUserId, false);
    if (!bot) throw botNotFound(botUserId);
    if (!patch.password) throw invalidParam('userPatch');
    this.permissions.requireSystem(actor, 'manage_system');
    const user = await this.users.get(botUserId);
    if (setSystemAdmin && !user.roles.split(' ').includes('system_admin')) {
      await this.users.updateRoles(actor, botUserId, `${user.roles} system_admin`);
    }
    const { password, ...profile } = patch;
    await this.users.patch(actor, botUserId, profile);
    await this.users.changePassword(actor, botUserId, undefined, password, '');
    await this.repo.delete(botUserId);
    return this.users.view(await this.users.setBot(botUserId, false), actor);
  }
}
