/**
 * Notification mails: one post (a mention, a direct or group message, a followed thread's reply)
 * and the digest of several (email batching). Subjects are Mattermost's (app.notification.subject.*
 * and api.email_batching.send_batched_email_notification.subject in its en.json), dated in the
 * recipient's time zone. With EmailNotificationContentsType "generic" the message text stays out
 * of the mail (sender and channel stay, as Mattermost's generic mails keep them).
 */
import { mailDate } from './dates.js';
import { MailParts, PostBlock, renderMail, RenderedMail, Site } from './layout.js';

/** What a mail says about one notification; stored as is while it waits for a digest. */
export interface NotificationItem {
  post_id: string;
  root_id: string;
  channel_id: string;
  /** O, P, D or G. */
  channel_type: string;
  create_at: number;
  sender_name: string;
  /** notificationChannelName: the channel's display name, `@sender` for a DM, the members for a GM. */
  channel_name: string;
  /** The team the permalink goes through (for DMs and GMs one of the recipient's teams; '' when they have none). */
  team_name: string;
  team_display_name: string;
  /** The message as typed (kept whatever the contents type: it is applied when the mail is written). */
  message: string;
  /** Attachments, for a post with files and no text. */
  file_count: number;
  reason: string;
  /** A reply shown as a thread notification (the recipient uses collapsed threads). */
  thread: boolean;
}

export interface NotificationMailOptions {
  contents: 'full' | 'generic';
  /** The recipient's time zone ('' → UTC). */
  zone: string;
  /** EmailSettings.UseChannelInEmailNotifications. */
  channelInSubject: boolean;
}

/** The permalink (`{SiteURL}/{team}/pl/{post_id}`); a user on no team lands on the team chooser. */
export function permalink(site: Site, item: Pick<NotificationItem, 'team_name' | 'post_id'>): string {
  return item.team_name ? `${site.url}/${item.team_name}/pl/${item.post_id}` : `${site.url}/select_team`;
}

/** Mattermost's `<post_id@site host>` Message-ID, so a thread's notifications group in mail clients. */
export function postMessageId(site: Site, postId: string): string {
  let host = 'localhost';
  try {
    if (site.url) host = new URL(site.url).hostname || host;
  } catch {
    /* a SiteURL that is no URL: localhost */
  }
  return `<${postId}@${host}>`;
}

export function notificationMail(site: Site, item: NotificationItem, o: NotificationMailOptions): RenderedMail & { messageId: string; inReplyTo?: string } {
  const d = mailDate(item.create_at, o.zone);
  const on = `on ${d.month} ${d.day}, ${d.year}`;
  let subject: string;
  if (item.channel_type === 'D') subject = `[${site.name}] New Direct Message from ${item.sender_name} ${on}`;
  else if (item.channel_type === 'G')
    subject = o.contents === 'full' ? `[${site.name}] New Group Message in ${item.channel_name} ${on}` : `[${site.name}] New Group Message ${on}`;
  else {
    const team = o.channelInSubject ? `${item.team_display_name} (${item.channel_name})` : item.team_display_name;
    subject = `[${site.name}] Notification in ${team} ${on}`;
  }
  const parts: MailParts = {
    title: title(item),
    lines: [],
    posts: [block(site, item, o, d.time)],
    button: { label: 'Reply', url: permalink(site, item) },
    footer: [`To change which mails you get, open ${site.name}, then Settings > Notifications.`],
  };
  const mail = renderMail(site, subject, parts);
  const threading = item.root_id ? { inReplyTo: postMessageId(site, item.root_id) } : {};
  return { ...mail, messageId: postMessageId(site, item.post_id), ...threading };
}

/** The digest of a user's waiting notifications (oldest first), dated by the first. */
export function digestMail(site: Site, items: NotificationItem[], o: NotificationMailOptions): RenderedMail {
  const first = mailDate(items[0].create_at, o.zone);
  const noun = items.length === 1 ? 'Notification' : 'Notifications';
  const subject = `[${site.name}] New ${noun} for ${first.month} ${first.day}, ${first.year}`;
  return renderMail(site, subject, {
    title: items.length === 1 ? 'You have a new message' : `You have ${items.length} new messages`,
    lines: ['Here is what you missed while you were away.'],
    posts: items.map((item) => block(site, item, o, mailDate(item.create_at, o.zone).time)),
    ...(site.url ? { button: { label: `Open ${site.name}`, url: site.url } } : {}),
    footer: [`To change how often these mails come, open ${site.name}, then Settings > Notifications > Email notifications.`],
  });
}

function title(item: NotificationItem): string {
  if (item.thread) return `${item.sender_name} replied to a thread you follow`;
  if (item.channel_type === 'D') return `${item.sender_name} sent you a direct message`;
  if (item.channel_type === 'G') return `${item.sender_name} wrote to your group`;
  if (item.reason === 'mention') return `${item.sender_name} mentioned you in ${item.channel_name}`;
  if (item.reason === 'channel' || item.reason === 'here') return `${item.sender_name} notified everyone in ${item.channel_name}`;
  return `${item.sender_name} posted in ${item.channel_name}`;
}

function block(site: Site, item: NotificationItem, o: NotificationMailOptions, time: string): PostBlock {
  return {
    sender: item.sender_name,
    channel: item.channel_type === 'D' ? '' : item.channel_name,
    time,
    message: o.contents === 'full' ? messageText(item) : '',
    url: permalink(site, item),
  };
}

/** The text, or what a file-only post carries (Mattermost's GetMessageForNotification). */
function messageText(item: NotificationItem): string {
  if (item.message.trim() !== '' || item.file_count === 0) return item.message;
  return item.file_count === 1 ? '1 file sent' : `${item.file_count} files sent`;
}
