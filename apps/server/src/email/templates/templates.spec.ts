import { describe, expect, it } from 'vitest';
import { condenseSiteUrl, inviteLink, passwordResetMail, resetLink, verifyLink } from './account-mails.js';
import { knownZone, mailDate, preferredTimezone } from './dates.js';
import { escapeHtml, renderMail } from './layout.js';
import { digestMail, NotificationItem, permalink, postMessageId } from './notification-mails.js';

const site = { name: 'Acme & Co', url: 'https://chat.example.com' };

const item = (over: Partial<NotificationItem> = {}): NotificationItem => ({
  post_id: 'p'.repeat(26),
  root_id: '',
  channel_id: 'c'.repeat(26),
  channel_type: 'O',
  create_at: Date.UTC(2025, 0, 2, 3, 4),
  sender_name: 'alice',
  channel_name: 'Town Square',
  team_name: 'acme',
  team_display_name: 'Acme',
  message: 'hi',
  file_count: 0,
  reason: 'mention',
  thread: false,
  ...over,
});

describe('the layout', () => {
  it('escapes every value in the HTML and keeps the text as typed', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const mail = renderMail(site, 'S <1>', { title: 'T <b>', lines: ['line\none'], button: { label: 'Go', url: 'https://x.example/?a=1&b=2' } });
    expect(mail.html).toContain('<title>S &lt;1&gt;</title>');
    expect(mail.html).toContain('T &lt;b&gt;');
    expect(mail.html).toContain('line<br>one');
    expect(mail.html).toContain('href="https://x.example/?a=1&amp;b=2"');
    expect(mail.html).toContain('Acme &amp; Co');
    expect(mail.text).toContain('T <b>');
    expect(mail.text).toContain('Go: https://x.example/?a=1&b=2');
  });

  it('links only http(s) URLs: anything else shows as text', () => {
    const mail = renderMail(site, 's', { title: 't', lines: [], button: { label: 'Open', url: 'javascript:alert(1)' } });
    expect(mail.html).not.toContain('href="javascript');
    expect(mail.html).toContain('javascript:alert(1)');
  });
});

describe('links and dates', () => {
  it("builds Mattermost's web app paths with the token encoded", () => {
    expect(verifyLink(site, 'abc', 'a+b@example.com')).toBe('https://chat.example.com/do_verify_email?token=abc&email=a%2Bb%40example.com');
    expect(resetLink(site, 'abc')).toBe('https://chat.example.com/reset_password_complete?token=abc');
    const invite = new URL(inviteLink(site, 'tok', { email: 'x@example.com', display_name: 'A & B', name: 'ab' }));
    expect(invite.pathname).toBe('/signup_user_complete/');
    expect(invite.searchParams.get('t')).toBe('tok');
    expect(JSON.parse(invite.searchParams.get('d')!)).toEqual({ email: 'x@example.com', display_name: 'A & B', name: 'ab' });
    expect(condenseSiteUrl('https://chat.example.com/')).toBe('chat.example.com');
    expect(passwordResetMail(site, { token: 'abc' }).subject).toBe('[Acme & Co] Reset your password');
  });

  it("dates in the recipient's zone; UTC for none or an unknown one", () => {
    expect(preferredTimezone({ useAutomaticTimezone: 'true', automaticTimezone: 'Europe/Paris', manualTimezone: 'Asia/Tokyo' })).toBe('Europe/Paris');
    expect(preferredTimezone({ useAutomaticTimezone: 'false', automaticTimezone: 'Europe/Paris', manualTimezone: 'Asia/Tokyo' })).toBe('Asia/Tokyo');
    expect(knownZone('Mars/Olympus')).toBe('UTC');
    const at = Date.UTC(2025, 11, 31, 23, 15);
    expect(mailDate(at, '')).toEqual({ month: 'December', day: '31', year: '2025', time: '23:15 UTC' });
    expect(mailDate(at, 'Europe/Paris')).toMatchObject({ month: 'January', day: '1', year: '2026', time: '00:15 GMT+1' });
  });

  it('permalinks through the team, the team chooser without one; Message-ID on the site host', () => {
    expect(permalink(site, item())).toBe(`https://chat.example.com/acme/pl/${'p'.repeat(26)}`);
    expect(permalink(site, item({ team_name: '' }))).toBe('https://chat.example.com/select_team');
    expect(postMessageId(site, 'abc')).toBe('<abc@chat.example.com>');
    expect(postMessageId({ name: 'x', url: '' }, 'abc')).toBe('<abc@localhost>');
  });
});

describe('digests', () => {
  it('singular and plural subjects, dated by the first notification; generic leaves the messages out; file-only posts say so', () => {
    const one = digestMail(site, [item()], { contents: 'full', zone: '', channelInSubject: false });
    expect(one.subject).toBe('[Acme & Co] New Notification for January 2, 2025');
    const two = digestMail(site, [item({ message: 'first' }), item({ message: '', file_count: 2 })], { contents: 'full', zone: '', channelInSubject: false });
    expect(two.subject).toBe('[Acme & Co] New Notifications for January 2, 2025');
    expect(two.text).toContain('first');
    expect(two.text).toContain('2 files sent');
    const generic = digestMail(site, [item({ message: 'secret' })], { contents: 'generic', zone: '', channelInSubject: false });
    expect(generic.text).not.toContain('secret');
    expect(generic.text).toContain('alice');
  });
});
