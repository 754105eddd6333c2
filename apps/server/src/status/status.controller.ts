import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { invalidParam, notFound } from '#common';
import { PermissionsService } from '../auth/permissions.service.js';
import { CurrentSession } from '../common/decorators.js';
import { bodyIdList, bodyObject, optional, urlUserId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { CustomStatusService } from './custom-status.service.js';
import { SETTABLE_STATUSES, statusView } from './status.model.js';
import { StatusService } from './status.service.js';

const OK = { status: 'OK' };

/** api4/status.go. Reading anyone's status needs only a session; changing one is self or edit_other_users. */
@Controller('users')
export class StatusController {
  constructor(
    private readonly statuses: StatusService,
    private readonly permissions: PermissionsService,
    private readonly customStatuses: CustomStatusService,
  ) {}

  @Post('status/ids')
  @HttpCode(200)
  async byIds(@Body() body: unknown) {
    const ids = bodyIdList(body, 'user_ids');
    return (await this.statuses.getMany(ids)).map(statusView);
  }

  @Get(':user_id/status')
  async get(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    return this.current(urlUserId(userId, s));
  }

  @Put(':user_id/status')
  async update(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    const id = urlUserId(userId, s);
    const b = bodyObject(body, 'status');
    // The status in the body must be for the user in the URL.
    if (optional<string>(b, 'user_id', 'string') !== id) throw invalidParam('user_id');
    this.permissions.requireSelfOrAdmin(s, id);
    const status = optional<string>(b, 'status', 'string');
    if (!status || !SETTABLE_STATUSES.has(status)) throw invalidParam('status');
    const dndEndTime = optional<number>(b, 'dnd_end_time', 'number') ?? 0;
    if (!Number.isSafeInteger(dndEndTime) || dndEndTime < 0) throw invalidParam('dnd_end_time');
    await this.statuses.setByUser(id, status, dndEndTime);
    return this.current(id);
  }

  // ---- custom status: the body is decoded by the service, after the EnableCustomUserStatuses check

  @Put(':user_id/status/custom')
  async setCustom(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    await this.customStatuses.set(s, urlUserId(userId, s), body);
    return OK;
  }

  @Delete(':user_id/status/custom')
  async clearCustom(@Param('user_id') userId: string, @CurrentSession() s: Session) {
    await this.customStatuses.clear(s, urlUserId(userId, s));
    return OK;
  }

  /** Two routes for one action: the mobile app cannot send a DELETE with a body, so it POSTs. */
  @Post(':user_id/status/custom/recent/delete')
  @HttpCode(200)
  async forgetRecent(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    await this.customStatuses.forgetRecent(s, urlUserId(userId, s), body);
    return OK;
  }

  @Delete(':user_id/status/custom/recent')
  async forgetRecentByDelete(@Param('user_id') userId: string, @Body() body: unknown, @CurrentSession() s: Session) {
    await this.customStatuses.forgetRecent(s, urlUserId(userId, s), body);
    return OK;
  }

  private async current(userId: string) {
    const row = await this.statuses.get(userId);
    // Only when statuses are switched off (ServiceSettings.EnableUserStatuses).
    if (!row) throw notFound('api.status.user_not_found.app_error', 'Unable to find the user status.');
    return statusView(row);
  }
}
