import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { invalidUrlParam } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { CategoriesService } from './categories.service.js';
import { categoryView, isValidCategoryId } from './category.model.js';

const OK = { status: 'OK' };

/** Context.RequireCategoryId: a plain id or a default category's `<type>_<user>_<team>`. */
function urlCategoryId(value: string): string {
  if (!isValidCategoryId(value)) throw invalidUrlParam('category_id');
  return value;
}

/**
 * api4/channel_category.go: /users/{user_id}/teams/{team_id}/channels/categories. Bodies go to the
 * service undecoded, because Mattermost checks the caller's access to the user before the body.
 */
@Controller('users/:user_id/teams/:team_id/channels/categories')
export class CategoriesController {
  constructor(private readonly categories: CategoriesService) {}

  @Get()
  async list(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    const ordered = await this.categories.list(s, urlUserId(userId, s), urlId(teamId, 'team_id'));
    return { categories: ordered.categories.map(categoryView), order: ordered.order };
  }

  // Mattermost writes the created category with 200, not 201.
  @Post()
  @HttpCode(200)
  async create(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const [uid, tid] = [urlUserId(userId, s), urlId(teamId, 'team_id')];
    return categoryView(await this.categories.create(s, uid, tid, body));
  }

  @Put()
  async updateMany(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const [uid, tid] = [urlUserId(userId, s), urlId(teamId, 'team_id')];
    return (await this.categories.updateMany(s, uid, tid, body)).map(categoryView);
  }

  @Get('order')
  async getOrder(@Param('user_id') userId: string, @Param('team_id') teamId: string, @CurrentSession() s: Session) {
    return this.categories.getOrder(s, urlUserId(userId, s), urlId(teamId, 'team_id'));
  }

  @Put('order')
  async updateOrder(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const [uid, tid] = [urlUserId(userId, s), urlId(teamId, 'team_id')];
    return this.categories.updateOrder(s, uid, tid, body);
  }

  @Get(':category_id')
  async getOne(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Param('category_id') categoryId: string, @CurrentSession() s: Session) {
    const [uid, tid, cid] = [urlUserId(userId, s), urlId(teamId, 'team_id'), urlCategoryId(categoryId)];
    return categoryView(await this.categories.getOne(s, uid, tid, cid));
  }

  @Put(':category_id')
  async updateOne(
    @Param('user_id') userId: string,
    @Param('team_id') teamId: string,
    @Param('category_id') categoryId: string,
    @Body() body: unknown,
    @CurrentSession() s: Session,
  ) {
    const [uid, tid, cid] = [urlUserId(userId, s), urlId(teamId, 'team_id'), urlCategoryId(categoryId)];
    return categoryView(await this.categories.updateOne(s, uid, tid, cid, body));
  }

  @Delete(':category_id')
  async remove(@Param('user_id') userId: string, @Param('team_id') teamId: string, @Param('category_id') categoryId: string, @CurrentSession() s: Session) {
    const [uid, tid, cid] = [urlUserId(userId, s), urlId(teamId, 'team_id'), urlCategoryId(categoryId)];
    await this.categories.remove(s, uid, tid, cid);
    return OK;
  }
}
