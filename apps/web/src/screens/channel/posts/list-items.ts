/**
 * How a list of posts is laid out (channel view and thread panel): a date line before the first
 * post of each day, and posts by the same person in a row shown without their name and time again
 * (Mattermost's consecutive posts). Pure functions, with specs.
 */
import type { Post } from '@mattermost/types/posts';

export type ListItem = { kind: 'date'; key: string; label: string } | { kind: 'post'; key: string; post: Post; continued: boolean };

/** Posts closer than this to the one before, by the same person, are shown as its continuation (Mattermost: 5 minutes). */
export const CONSECUTIVE_POST_MS = 5 * 60 * 1000;

const isSystem = (post: Post): boolean => !!post.type && post.type.startsWith('system_');
const fromWebhook = (post: Post): boolean => post.props?.from_webhook === 'true';

/** Whether `post` continues `prev` (same author, soon after, same thread, neither a system or webhook post). */
export function isConsecutive(prev: Post | undefined, post: Post): boolean {
  if (!prev || prev.user_id !== post.user_id) return false;
  if (isSystem(prev) || isSystem(post) || fromWebhook(prev) || fromWebhook(post)) return false;
  if (post.create_at - prev.create_at > CONSECUTIVE_POST_MS || post.create_at < prev.create_at) return false;
  // A reply continues only its own thread (its root or a reply to the same root).
  if (post.root_id) return post.root_id === prev.root_id || post.root_id === prev.id;
  return !prev.root_id;
}

/** The local calendar day of a time, as a key. */
const dayKey = (at: number): string => {
  const d = new Date(at);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
};

/** The date line's text: Today, Yesterday, else the weekday and date (with the year when not this year). */
export function dateLabel(at: number, now: number, locale?: string): string {
  if (dayKey(at) === dayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (dayKey(at) === dayKey(yesterday.getTime())) return 'Yesterday';
  const sameYear = new Date(at).getFullYear() === new Date(now).getFullYear();
  return new Intl.DateTimeFormat(locale, { weekday: 'short', month: 'long', day: 'numeric', ...(sameYear ? {} : { year: 'numeric' }) }).format(at);
}

/** The rows of a list of posts (oldest first). */
export function postListItems(posts: Post[], now: number, locale?: string): ListItem[] {
  const items: ListItem[] = [];
  let prev: Post | undefined;
  let day = '';
  for (const post of posts) {
    const key = dayKey(post.create_at);
    const newDay = key !== day;
    if (newDay) {
      day = key;
      items.push({ kind: 'date', key: `date-${key}`, label: dateLabel(post.create_at, now, locale) });
    }
    items.push({ kind: 'post', key: post.id, post, continued: !newDay && !prev?.delete_at && isConsecutive(prev, post) });
    prev = post;
  }
  return items;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a message mentions a user: @username (followed by nothing that would make it a longer
 * name), or @all, @channel, @here. Mattermost highlights such posts for the person mentioned.
 */
export function mentionsUser(message: string, username: string): boolean {
  if (!username) return false;
  const names = [escapeRegExp(username), 'all', 'channel', 'here'].join('|');
  return new RegExp(`(^|[^\\w@])@(${names})(?![\\w-]|\\.[\\w])`, 'i').test(message);
}
