import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Audited } from '../audits/audited.js';
import { invalidParam } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { bodyObject, optional, pagination, urlId, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import type { OAuthAppInput } from './oauth-app.model.js';
import { OAuthAppsService } from './oauth-apps.service.js';

const OK = { status: 'OK' };

/** An OAuthApp body: the fields a client sets, each of its JSON type (a wrong one: 400 naming oauth_app). */
function appInput(body: unknown): { id: string | undefined; input: OAuthAppInput } {
  const b = bodyObject(body, 'oauth_app');
  const text = (key: string) => {
    const value = b[key];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw invalidParam('oauth_app');
    return value;
  };
  const callbacks = b.callback_urls ?? [];
  if (!Array.isArray(callbacks) || callbacks.some((u) => typeof u !== 'string')) throw invalidParam('oauth_app');
  const trusted = b.is_trusted ?? false;
  if (typeof trusted !== 'boolean') throw invalidParam('oauth_app');
  return {
    id: optional<string>(b, 'id', 'string'),
    input: {
      name: text('name'),
      description: text('description'),
      icon_url: text('icon_url'),
      callback_urls: callbacks as string[],
      homepage: text('homepage'),
      is_trusted: trusted,
      mattermost_app_id: text('mattermost_app_id'),
    },
  };
}

/** /api/v4/oauth/apps (api4/oauth.go): registering and managing OAuth 2.0 client applications. */
@Controller()
export class OAuthAppsController {
  constructor(private readonly apps: OAuthAppsService) {}

  @Audited((r) => `createOAuthApp app_id=${(r as { id?: string } | undefined)?.id ?? ''}`)
  @Post('oauth/apps')
  @HttpCode(201)
  async create(@Body() body: unknown, @CurrentSession() s: Session) {
    return this.apps.create(s, appInput(body).input);
  }

  @Get('oauth/apps')
  async list(@Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    return this.apps.list(s, page, perPage);
  }

  @Get('oauth/apps/:app_id')
  async get(@Param('app_id') appId: string, @CurrentSession() s: Session) {
    return this.apps.getOne(s, urlId(appId, 'app_id'));
  }

  @Audited((_r, req) => `updateOAuthApp app_id=${String(req.params.app_id)}`)
  @Put('oauth/apps/:app_id')
  async update(@Param('app_id') appId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlId(appId, 'app_id');
    const { id: bodyId, input } = appInput(body);
    return this.apps.update(s, id, bodyId, input);
  }

  @Audited((_r, req) => `deleteOAuthApp app_id=${String(req.params.app_id)}`)
  @Delete('oauth/apps/:app_id')
  async delete(@Param('app_id') appId: string, @CurrentSession() s: Session) {
    await this.apps.delete(s, urlId(appId, 'app_id'));
    return OK;
  }

  @Audited((_r, req) => `regenerateOAuthAppSecret app_id=${String(req.params.app_id)}`)
  @Post('oauth/apps/:app_id/regen_secret')
  async regenerateSecret(@Param('app_id') appId: string, @CurrentSession() s: Session) {
    return this.apps.regenerateSecret(s, urlId(appId, 'app_id'));
  }

  @Get('oauth/apps/:app_id/info')
  async info(@Param('app_id') appId: string) {
    return this.apps.info(urlId(appId, 'app_id'));
  }

  @Get('users/:user_id/oauth/apps/authorized')
  async authorized(@Param('user_id') userId: string, @Query() q: Record<string, string>, @CurrentSession() s: Session) {
    const { page, perPage } = pagination(q);
    return this.apps.authorizedApps(s, urlUserId(userId, s), page, perPage);
  }
}
