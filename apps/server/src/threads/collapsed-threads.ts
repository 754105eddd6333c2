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
