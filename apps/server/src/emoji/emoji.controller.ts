import { Body, Controller, Delete, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { notFound } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { bodyObject, bodyStringList, optional, pagination } from '../common/params.js';
import type { Session } from '../common/session.js';
import { readEmojiForm } from './emoji-form.js';
import { EmojiService } from './emoji.service.js';

const OK = { status: 'OK' };

/** Mattermost's router matches these segments by pattern; anything else is no route at all. */
function segment(value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
  return value;
}
const ID = /^[A-Za-z0-9]+$/;
const NAME = /^[A-Za-z0-9_+-]+$/;

/** api4/emoji.go. Static routes come before emoji/:emoji_id so that they win. */
@Controller('emoji')
export class EmojiController {
  constructor(private readonly emoji: EmojiService) {}

  @Post()
  async create(@Req() req: Request, @CurrentSession() s: Session, @Res() res: Response) {
    res.status(201).json(await this.emoji.create(s, () => readEmojiForm(req)));
  }

  @Get()
  async list(@Query() query: Record<string, unknown>) {
    const { page, perPage } = pagination(query);
    return this.emoji.list(page, perPage, typeof query.sort === 'string' ? query.sort : '');
  }

  @Get('autocomplete')
  async autocomplete(@Query('name') name: unknown) {
    return this.emoji.autocomplete(typeof name === 'string' ? name : '');
  }

  @Post('names')
  async byNames(@Body() body: unknown) {
    return this.emoji.getByNames(bodyStringList(body, 'names', 100_000));
  }

  @Post('search')
  async search(@Body() body: unknown) {
    const o = bodyObject(body, 'term');
    return this.emoji.search(optional<string>(o, 'term', 'string') ?? '', optional<boolean>(o, 'prefix_only', 'boolean') ?? false);
  }

  @Get('name/:emoji_name')
  async byName(@Param('emoji_name') name: string) {
    return this.emoji.getByName(segment(name, NAME));
  }

  @Get(':emoji_id')
  async get(@Param('emoji_id') id: string) {
    return this.emoji.get(segment(id, ID));
  }

  @Get(':emoji_id/image')
  async image(@Param('emoji_id') id: string, @Res() res: Response) {
    const { data, contentType } = await this.emoji.image(segment(id, ID));
    // Emoji images never change under an id (api4/emoji.go caches them for 30 days).
    res.setHeader('Cache-Control', 'max-age=2592000, private');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type(contentType).send(data);
  }

  @Delete(':emoji_id')
  async remove(@Param('emoji_id') id: string, @CurrentSession() s: Session) {
    await this.emoji.delete(s, segment(id, ID));
    return OK;
  }
}
