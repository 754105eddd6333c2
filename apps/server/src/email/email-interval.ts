/**
 * The user's email batching interval: the preference category `notifications`, name
 * `email_interval`, in seconds (model.PreferenceNameEmailInterval). "30" is the web app's
 * "immediately"; no preference, or one that is no number, means Mattermost's default batch of
 * fifteen minutes (PreferenceEmailIntervalBatchingSeconds) while batching is on.
 */
export const EMAIL_INTERVAL_CATEGORY = 'notifications';
export const EMAIL_INTERVAL_NAME = 'email_interval';
export const EMAIL_INTERVAL_IMMEDIATELY = '30';
export const DEFAULT_BATCH_INTERVAL_SECONDS = 900;

/** Seconds to gather notifications for, or null when they are mailed one by one. */
export function batchIntervalSeconds(preference: string | undefined): number | null {
  if (preference === EMAIL_INTERVAL_IMMEDIATELY) return null;
  const seconds = Number(preference);
  return preference !== undefined && preference.trim() !== '' && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_BATCH_INTERVAL_SECONDS;
}
