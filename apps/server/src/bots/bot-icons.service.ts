import { Injectable } from '@nestjs/common';
import { AppError, badRequest } from '#common';
import { ConfigService } from '#config';
import { FileStore } from '#storage';
import type { Session } from '../common/session.js';
import { readSingleFile, UploadError, type UploadSource } from '../common/upload.js';
import { UsersService } from '../users/users.service.js';
import { BotAccess } from './bot-access.js';
import { botNotFound } from './bot.model.js';
import { BotsRepository } from './bots.repository.js';

/** Where Mattermost keeps a bot's icon in the file store (getBotIconPath). */
export const botIconPath = (botUserId: string) => `bots/${botUserId}/icon.svg`;

const ERR = 'api.bot.set_bot_icon_image';

/**
 * Whether the bytes are an SVG document (Mattermost's parseSVG): an `<svg>` root element, after an
 * optional BOM, XML declaration, comments and doctype.
 */
export function isSvg(data: Buffer): boolean {
  const text = data.toString('utf8').replace(/^\uFEFF/, '');
  const prologue = /^\s*(<\?xml[\s\S]*?\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)\s*)*/i;
  const rest = text.replace(prologue, '');
  return /^<svg[\s>/]/i.test(rest) && /<\/svg\s*>\s*$|\/>\s*$/i.test(rest.trimEnd());
}

/**
 * Bot icons (App.SetBotIconImage, DeleteBotIconImage, GetBotIconImage): an SVG in the file store,
 * last_icon_update on the bot's row for the apps' caches, and user_updated so clients refresh.
 */
@Injectable()
export class BotIconsService {
  constructor(
    private readonly bots: BotsRepository,
    private readonly access: BotAccess,
    private readonly users: UsersService,
    private readonly files: FileStore,
    private readonly config: ConfigService,
  ) {}

  /** GET /bots/{id}/icon: any session; 404 for no bot or no icon. */
  async icon(botUserId: string): Promise<{ svg: Buffer; etag: string }> {
    const bot = await this.bots.get(botUserId, true);
    if (!bot) throw botNotFound(botUserId);
    try {
      return { svg: await this.files.readFile(botIconPath(botUserId)), etag: String(bot.last_icon_update) };
    } catch {
      throw new AppError('', 'api.bot.get_bot_icon_image.read.app_error', 'Unable to read the icon image file.', 404, `user_id=${botUserId}`);
    }
  }

  /** POST /bots/{id}/icon: a manager of the bot; multipart field `image`, an SVG within FileSettings.MaxFileSize. */
  async upload(actor: Session, botUserId: string, src: UploadSource): Promise<void> {
    const bot = await this.access.requireManage(actor, botUserId);
    let svg: Buffer;
    try {
      svg = await readSingleFile(src, 'image', this.config.get().FileSettings.MaxFileSize);
    } catch (err) {
      if (!(err instanceof UploadError)) throw err;
      if (err.kind === 'too_large')
        throw new AppError('', `${ERR}.too_large.app_error`, 'Unable to upload the icon image. File is too large.', 413, err.message);
      if (err.kind === 'no_file') throw badRequest(`${ERR}.no_file.app_error`, 'No file under "image" in request.', err.message);
      if (err.kind === 'too_many') throw badRequest(`${ERR}.too_many.app_error`, 'Too many files under "image" in request.', err.message);
      throw badRequest(`${ERR}.parse.app_error`, 'Could not parse multipart form.', err.message);
    }
    if (!isSvg(svg)) throw badRequest(`${ERR}.parse.app_error`, 'The icon must be an SVG image.');
    await this.files.writeFile(botIconPath(botUserId), svg);
    await this.changed({ ...bot, last_icon_update: Date.now() });
  }

  /** DELETE /bots/{id}/icon: a manager of the bot; back to no icon. */
  async remove(actor: Session, botUserId: string): Promise<void> {
    const bot = await this.access.requireManage(actor, botUserId);
    await this.files.remove(botIconPath(botUserId));
    await this.changed({ ...bot, last_icon_update: 0 });
  }

  private async changed(bot: Parameters<BotsRepository['update']>[0]): Promise<void> {
    await this.bots.update(bot);
    await this.users.announce(bot.user_id);
  }
}
