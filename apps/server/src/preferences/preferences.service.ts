import { Injectable } from '@nestjs/common';
import { badRequest, forbidden, invalidParam, notFound, permissionDenied } from '#common';
import { EventPublisher, newEvent, WsEvents } from '#realtime';
import { PermissionsService } from '../auth/permissions.service.js';
import { CategoriesService } from '../categories/categories.service.js';
import { Session } from '../common/session.js';
import { CATEGORY_FLAGGED_POST, Preference, preferenceError, preferenceView, sanitizePreference } from './preference.model.js';
import { PreferencesRepository } from './preferences.repository.js';

/** A user's preferences (app/preference.go); every change is announced to that user's sockets. */
@Injectable()
export class PreferencesService {
  constructor(
    private readonly repo: PreferencesRepository,
    private readonly permissions: PermissionsService,
    private readonly publisher: EventPublisher,
    private readonly categories: CategoriesService,
  ) {}

  async list(userId: string): Promise<Preference[]> {
    return (await this.repo.forUser(userId)).map(preferenceView);
  }

  async inCategory(userId: string, category: string): Promise<Preference[]> {
    const prefs = await this.repo.inCategory(userId, category);
    if (prefs.length === 0) {
      throw notFound('api.preference.preferences_category.get.app_error', 'Unable to find preferences for this category.', `category=${category}`);
    }
    return prefs.map(preferenceView);
  }

  /** A missing preference is a 400 in Mattermost (the store's not-found is wrapped as a bad request). */
  async one(userId: string, category: string, name: string): Promise<Preference> {
    const pref = await this.repo.one(userId, category, name);
    if (!pref) throw badRequest('app.preference.get.app_error', 'Unable to get the preference.', `category=${category}, name=${name}`);
    return preferenceView(pref);
  }

  /** Saves a batch for `userId` as `actor` (already allowed to act on that user), all or nothing. */
  async save(actor: Session, userId: string, prefs: Preference[]): Promise<void> {
    // A saved ("flagged") post must exist and be readable by the caller.
    for (const pref of prefs) {
      if (pref.category !== CATEGORY_FLAGGED_POST) continue;
      const channelId = await this.repo.postChannelId(pref.name);
      if (!channelId) throw invalidParam('preference.name');
      if (!(await this.permissions.hasChannel(actor, channelId, 'read_channel'))) throw permissionDenied('read_channel');
    }
    for (const pref of prefs) {
      if (pref.user_id !== userId) {
        throw forbidden(
          'api.preference.update_preferences.set.app_error',
          'Unable to set user preferences.',
          `userId=${userId}, preference.UserId=${pref.user_id}`,
        );
      }
    }
    const clean = prefs.map(sanitizePreference);
    for (const pref of clean) {
      const err = preferenceError(pref);
      if (err) throw err;
    }
    await this.repo.upsert(lastOfEachKey(clean));
    await this.categories.preferencesSaved(userId, clean);
    this.announce(WsEvents.PreferencesChanged, userId, clean);
  }

  async delete(userId: string, prefs: Preference[]): Promise<void> {
    for (const pref of prefs) {
      if (pref.user_id !== userId) {
        throw forbidden(
          'api.preference.delete_preferences.delete.app_error',
          'Unable to delete user preferences.',
          `userId=${userId}, preference.UserId=${pref.user_id}`,
        );
      }
    }
    await this.repo.delete(userId, prefs);
    await this.categories.preferencesDeleted(userId, prefs);
    this.announce(WsEvents.PreferencesDeleted, userId, prefs);
  }

  private announce(event: string, userId: string, prefs: Preference[]): void {
    // `preferences` travels as a JSON string, as Mattermost sends it.
    this.publisher.publish(newEvent(event, { user_id: userId }, { preferences: JSON.stringify(prefs.map(preferenceView)) }));
  }
}

/** Mattermost saves a batch one by one, so when a key repeats the last value wins. */
function lastOfEachKey(prefs: Preference[]): Preference[] {
  const byKey = new Map<string, Preference>();
  for (const pref of prefs) {
    const key = JSON.stringify([pref.category, pref.name]);
    byKey.delete(key);
    byKey.set(key, pref);
  }
  return [...byKey.values()];
}
