import { Injectable, Logger } from '@nestjs/common';
import { AppError, badRequest } from '#common';
import { ConfigService } from '#config';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { PreferencesService } from '../preferences/preferences.service.js';
import { UsersService } from '../users/users.service.js';
import {
  addRecent,
  containsRecent,
  CUSTOM_STATUS_PROP,
  CustomStatus,
  customStatusFromBody,
  decodeCustomStatus,
  encodeCustomStatus,
  parseRecent,
  RECENT_CATEGORY,
  RECENT_NAME,
  removeRecent,
} from './custom-status.model.js';

const cannotRemoveRecent = () =>
  badRequest('api.custom_status.recent_custom_statuses.delete.app_error', 'Unable to delete the recent custom status: it is not in the list.');

/**
 * Custom statuses (app/custom_status.go): the status is a JSON string in the user's props, so a
 * change reaches everyone as `user_updated`; the five most recent ones are a preference of the
 * user's. An expired status is left as it is: Mattermost's server never clears one (neither when
 * reading nor by a job), the apps hide a status whose expires_at has passed.
 */
@Injectable()
export class CustomStatusService {
  private readonly logger = new Logger('custom-status');

  constructor(
    private readonly config: ConfigService,
    private readonly permissions: PermissionsService,
    private readonly users: UsersService,
    private readonly preferences: PreferencesService,
    private readonly preferenceRows: PreferencesRepository,
  ) {}

  /** PUT /users/{id}/status/custom: switched on, a valid status, oneself or edit_other_users (updateUserCustomStatus). */
  async set(actor: Session, userId: string, body: unknown): Promise<void> {
    this.requireEnabled();
    const status = customStatusFromBody(body, Date.now());
    this.permissions.requireSelfOrAdmin(actor, userId);
    await this.users.setProp(userId, CUSTOM_STATUS_PROP, encodeCustomStatus(status));
    // The status is set even when the recent list cannot be written (SetCustomStatus only logs that).
    try {
      await this.remember(actor, userId, status);
    } catch (err) {
      this.logger.error(`Can't add recent custom status for ${userId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** DELETE /users/{id}/status/custom: the prop becomes an empty string (User.ClearCustomStatus). */
  async clear(actor: Session, userId: string): Promise<void> {
    this.requireEnabled();
    this.permissions.requireSelfOrAdmin(actor, userId);
    await this.users.setProp(userId, CUSTOM_STATUS_PROP, '');
  }

  /**
   * POST /users/{id}/status/custom/recent/delete (and DELETE …/recent): takes one status out of the
   * recent list; it must be there exactly as sent (RemoveRecentCustomStatus).
   */
  async forgetRecent(actor: Session, userId: string, body: unknown): Promise<void> {
    this.requireEnabled();
    const { expiresMs: _ignored, ...status } = decodeCustomStatus(body, 'recent_custom_status');
    this.permissions.requireSelfOrAdmin(actor, userId);
    const pref = await this.preferenceRows.one(userId, RECENT_CATEGORY, RECENT_NAME);
    if (!pref) throw badRequest('app.preference.get.app_error', 'Unable to get the preference.', `category=${RECENT_CATEGORY}, name=${RECENT_NAME}`);
    if (pref.value === '') throw cannotRemoveRecent();
    const list = parseRecent(pref.value);
    if (!containsRecent(list, status)) throw cannotRemoveRecent();
    await this.saveRecent(actor, userId, removeRecent(list, status));
  }

  /** The recent statuses, newest first (addRecentCustomStatus). */
  private async remember(actor: Session, userId: string, status: CustomStatus): Promise<void> {
    const pref = await this.preferenceRows.one(userId, RECENT_CATEGORY, RECENT_NAME);
    const list = pref && pref.value !== '' ? addRecent(parseRecent(pref.value), status) : [status];
    await this.saveRecent(actor, userId, list);
  }

  private async saveRecent(actor: Session, userId: string, list: CustomStatus[]): Promise<void> {
    const value = `[${list.map(encodeCustomStatus).join(',')}]`;
    // Through the preferences service, which announces preferences_changed as UpdatePreferences does.
    await this.preferences.save(actor, userId, [{ user_id: userId, category: RECENT_CATEGORY, name: RECENT_NAME, value }]);
  }

  private requireEnabled(): void {
    if (!this.config.get().TeamSettings.EnableCustomUserStatuses) {
      throw new AppError(
        '',
        'api.custom_status.disabled',
        'Custom status feature has been disabled. Please contact your system administrator for details.',
        501,
      );
    }
  }
}
