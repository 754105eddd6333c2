import { Schedule } from './queue-driver.js';

/** "HH:MM" (24 h) as hours and minutes, or an Error naming the problem. */
export function parseDailyTime(text: string): { hour: number; minute: number } {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  const hour = m ? Number(m[1]) : NaN;
  const minute = m ? Number(m[2]) : NaN;
  if (!(hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59)) throw new Error(`not a time of day "HH:MM": ${JSON.stringify(text)}`);
  return { hour, minute };
}

/** The first slot strictly after `after` (ms since the epoch). */
export function nextSlot(schedule: Schedule, after: number): number {
  if ('every' in schedule) {
    if (!(schedule.every > 0)) throw new Error(`schedule interval must be positive, got ${schedule.every}`);
    return Math.floor(after / schedule.every) * schedule.every + schedule.every;
  }
  const { hour, minute } = parseDailyTime(schedule.daily);
  const next = new Date(after);
  next.setHours(hour, minute, 0, 0);
  if (next.getTime() <= after) next.setDate(next.getDate() + 1);
  return next.getTime();
}

/** The same schedule as BullMQ repeat options: aligned `every` slots, or a daily cron pattern. */
export function bullRepeat(schedule: Schedule, now: number): { every: number; startDate: number } | { pattern: string } {
  if ('every' in schedule) return { every: schedule.every, startDate: nextSlot(schedule, now) };
  const { hour, minute } = parseDailyTime(schedule.daily);
  return { pattern: `${minute} ${hour} * * *` };
}

export function sameSchedule(a: Schedule | null | undefined, b: Schedule | null | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
