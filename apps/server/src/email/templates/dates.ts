/** Dates in mails, in the recipient's time zone (Mattermost's getFormattedPostTime). */

export interface MailDate {
  /** English month name, as Mattermost's subjects use ("January"). */
  month: string;
  day: string;
  year: string;
  /** "14:05 CET": 24-hour clock and the zone's short name. */
  time: string;
}

/** The user's zone: the automatic one when they let the app pick it, else the manual one; '' when none. */
export function preferredTimezone(timezone: Record<string, string> | null | undefined): string {
  if (!timezone) return '';
  return (timezone.useAutomaticTimezone ?? 'true') === 'true' ? (timezone.automaticTimezone ?? '') : (timezone.manualTimezone ?? '');
}

/** A zone Intl knows, or UTC (an unknown or empty zone is not an error in a mail). */
export function knownZone(zone: string): string {
  if (!zone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}

export function mailDate(at: number, zone: string): MailDate {
  const timeZone = knownZone(zone);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      month: 'long',
      day: 'numeric',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  return { month: parts.month, day: parts.day, year: parts.year, time: `${parts.hour}:${parts.minute} ${parts.timeZoneName}` };
}
