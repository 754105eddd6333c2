import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { notFound } from '#common';
import { PermissionsService } from '../auth/permissions.service.js';
import { CurrentSession } from '../common/decorators.js';
import { urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { parsePreferenceList, URL_KEY_PATTERN } from './preference.model.js';
import { PreferencesService } from './preferences.service.js';

const OK = { status: 'OK' };

/** api4/preference.go: a user's own preferences, or anyone's with edit_other_users. */
@Controller('users/:user_id/preferences')
export class PreferencesController {
  constructor(
    private readonly preferences: PreferencesService,
    private readonly permissions: PermissionsService,
  ) {}

  @Get()
  async list(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return this.preferences.list(this.allowedUser(userId, s));
  }

  @Put()
  async save(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = this.allowedUser(userId, s);
    await this.preferences.save(s, id, parsePreferenceList(body));
    return OK;
  }

  @Post('delete')
  @HttpCode(200)
  async delete(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = this.allowedUser(userId, s);
    await this.preferences.delete(id, parsePreferenceList(body));
    return OK;
  }

  @Get(':category')
  async byCategory(@Param('user_id') userId: string, @Param('category') category: string, @CurrentSession() s: Session) {
    routeKey(category);
    return this.preferences.inCategory(this.allowedUser(userId, s), category);
  }

  @Get(':category/name/:name')
  async byName(@Param('user_id') userId: string, @Param('category') category: string, @Param('name') name: string, @CurrentSession() s: Session) {
    routeKey(category);
    routeKey(name);
    return this.preferences.one(this.allowedUser(userId, s), category, name);
  }

  private allowedUser(userId: string, s: Session): string {
    const id = urlUserId(userId, s);
    this.permissions.requireSelfOrAdmin(s, id);
    return id;
  }
}

/** Mattermost's router only matches `[A-Za-z0-9_]+` here; anything else is an unknown route. */
function routeKey(value: string): void {
  if (!URL_KEY_PATTERN.test(value)) throw notFound('api.context.404.app_error', 'Sorry, we could not find the page.');
}
