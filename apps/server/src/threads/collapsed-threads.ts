import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { PreferencesRepository } from '../preferences/preferences.repository.js';

/** ServiceSettings.CollapsedThreads values. */
export type CollapsedThreadsSetting = 'always_on' | 'default_on' | 'default_off' | 'disabled';

/**
 * Whether collapsed threads are on for a user (IsCRTEnabledForUser): the setting decides, unless
 * it leaves the choice to the user's display_settings / collapsed_reply_threads preference.
 */
export function collapsedThreadsOn(setting: string, preference: string | undefined): boolean {
  if (setting === 'always_on') return true;
  if (setting === 'disabled') return false;
  return setting === 'default_on' ? preference !== 'off' : preference === 'on';
}

export const CRT_PREFERENCE = { category: 'display_settings', name: 'collapsed_reply_threads' } as const;

/** Who has collapsed threads on, with one preferences query for many users (none when the setting decides alone). */
@Injectable()
export class CollapsedThreads {
  constructor(
    private readonly preferences: PreferencesRepository,
    private readonly config: ConfigService,
  ) {}

  /** The setting allows collapsed threads for anyone. */
  allowed(): boolean {
    return this.config.get().ServiceSettings.CollapsedThreads !== 'disabled';
  }

  async forUser(userId: string): Promise<boolean> {
    return (await this.forUsers([userId])).has(userId);
  }

  async forUsers(userIds: string[]): Promise<Set<string>> {
    const setting = this.config.get().ServiceSettings.CollapsedThreads;
    if (setting === 'always_on') return new Set(userIds);
    if (setting === 'disabled' || userIds.length === 0) return new Set();
    const prefs = await this.preferences.oneForUsers(userIds, CRT_PREFERENCE.category, CRT_PREFERENCE.name);
    const byUser = new Map(prefs.map((p) => [p.user_id, p.value]));
    return new Set(userIds.filter((id) => collapsedThreadsOn(setting, byUser.get(id))));
  }
}
