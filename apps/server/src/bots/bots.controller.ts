import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Req, Res } from '@nestjs/common';
import { Audited } from '../audits/audited.js';
import type { Response } from 'express';
import { invalidUrlParam, isValidId } from '#common';
import { CurrentSession, TrustRequester } from '../common/decorators.js';
import { bodyObject, optional, optionalStringMap, pagination, parseBoolParam, urlId } from '../common/params.js';
import type { ApiRequest } from '../common/request.js';
import type { Session } from '../common/session.js';
import { BotIconsService } from './bot-icons.service.js';
import { botView, BotPatch } from './bot.model.js';
import { BotsService, ConvertPatch } from './bots.service.js';

/** Mattermost's RequireBotUserId. */
function botId(value: string): string {
  if (!isValidId(value)) throw invalidUrlParam('bot_user_id');
  return value;
}

/** A BotPatch body: username, display_name, description, each a string when present. */
function botPatch(body: unknown): BotPatch {
  const b = bodyObject(body, 'bot');
  return {
    username: optional<string>(b, 'username', 'string'),
    display_name: optional<string>(b, 'display_name', 'string'),
    description: optional<string>(b, 'description', 'string'),
  };
}

/** A UserPatch body, with the password convert_to_user requires. */
function convertPatch(body: unknown): ConvertPatch {
  const b = bodyObject(body, 'userPatch');
  const patch: ConvertPatch = {};
  for (const key of ['username', 'email', 'nickname', 'first_name', 'last_name', 'position', 'locale', 'password'] as const) {
    const value = optional<string>(b, key, 'string');
    if (value !== undefined) patch[key] = value;
  }
  for (const key of ['props', 'notify_props', 'timezone'] as const) {
    const value = optionalStringMap(b, key);
    if (value !== undefined) patch[key] = value;
  }
  return patch;
}

/** /api/v4/bots (api4/bot.go) and the conversion of a user into a bot (api4/user.go). */
@Controller()
export class BotsController {
  constructor(
    private readonly bots: BotsService,
    private readonly icons: BotIconsService,
  ) {}

  @Audited((r) => `createBot user_id=${(r as { user_id?: string } | undefined)?.user_id ?? ''}`)
  @Post('bots')
  @HttpCode(201)
  async create(@Body() body: unknown, @CurrentSession() s: Session) {
    return botView(await this.bots.create(s, botPatch(body)));
  }

  @Get('bots')
  async list(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    const bots = await this.bots.list(s, {
      page,
      perPage,
      includeDeleted: parseBoolParam(q.include_deleted),
      onlyOrphaned: parseBoolParam(q.only_orphaned),
    });
    return bots.map(botView);
  }

  @Get('bots/:bot_user_id')
  async get(@Param('bot_user_id') id: string, @Query('include_deleted') includeDeleted: string | undefined, @CurrentSession() s: Session) {
    return botView(await this.bots.get(s, botId(id), parseBoolParam(includeDeleted)));
  }

  @Audited((_r, req) => `patchBot user_id=${String(req.params.bot_user_id)}`)
  @Put('bots/:bot_user_id')
  async patch(@Param('bot_user_id') id: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const bot = botId(id);
    return botView(await this.bots.patch(s, bot, botPatch(body)));
  }

  @Audited((_r, req) => `updateBotActive user_id=${String(req.params.bot_user_id)} active=false`)
  @Post('bots/:bot_user_id/disable')
  async disable(@Param('bot_user_id') id: string, @CurrentSession() s: Session) {
    return botView(await this.bots.setActive(s, botId(id), false));
  }

  @Audited((_r, req) => `updateBotActive user_id=${String(req.params.bot_user_id)} active=true`)
  @Post('bots/:bot_user_id/enable')
  async enable(@Param('bot_user_id') id: string, @CurrentSession() s: Session) {
    return botView(await this.bots.setActive(s, botId(id), true));
  }

  @Audited((_r, req) => `assignBot user_id=${String(req.params.bot_user_id)} owner_id=${String(req.params.user_id)}`)
  @Post('bots/:bot_user_id/assign/:user_id')
  async assign(@Param('bot_user_id') id: string, @Param('user_id') userId: string, @CurrentSession() s: Session) {
    const owner = urlId(userId, 'user_id');
    return botView(await this.bots.assign(s, botId(id), owner));
  }

  @Audited((_r, req) => `convertBotToUser user_id=${String(req.params.bot_user_id)}`)
  @Post('bots/:bot_user_id/convert_to_user')
  async convertToUser(
    @Param('bot_user_id') id: string,
    @Body() body: unknown,
    @Query('set_system_admin') setSystemAdmin: string | undefined,
    @CurrentSession() s: Session,
  ) {
    const bot = botId(id);
    return this.bots.convertBotToUser(s, bot, convertPatch(body), parseBoolParam(setSystemAdmin));
  }

  /**
   * The bot's SVG icon, cached for a day. Its own CSP (no script, sandboxed) keeps an SVG opened
   * as a page from running anything; as an <img> it never does.
   */
  @TrustRequester()
  @Get('bots/:bot_user_id/icon')
  async icon(@Param('bot_user_id') id: string, @Res() res: Response) {
    const { svg, etag } = await this.icons.icon(botId(id));
    res
      .status(200)
      .set({
        'Content-Type': 'image/svg+xml',
        'Cache-Control': 'max-age=86400, private',
        ETag: etag,
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      })
      .send(svg);
  }

  @Audited((_r, req) => `setBotIconImage user_id=${String(req.params.bot_user_id)}`)
  @Post('bots/:bot_user_id/icon')
  async setIcon(@Param('bot_user_id') id: string, @Req() req: ApiRequest, @CurrentSession() s: Session) {
    await this.icons.upload(s, botId(id), { headers: req.headers, body: req });
    return { status: 'OK' };
  }

  @Audited((_r, req) => `deleteBotIconImage user_id=${String(req.params.bot_user_id)}`)
  @Delete('bots/:bot_user_id/icon')
  async deleteIcon(@Param('bot_user_id') id: string, @CurrentSession() s: Session) {
    await this.icons.remove(s, botId(id));
    return { status: 'OK' };
  }

  /** Mattermost also takes `me` here; this server does not, so that no caller turns their own account into a bot by accident. */
  @Audited((_r, req) => `convertUserToBot user_id=${String(req.params.user_id)}`)
  @Post('users/:user_id/convert_to_bot')
  async convertToBot(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return botView(await this.bots.convertUserToBot(s, urlId(userId, 'user_id')));
  }
}
