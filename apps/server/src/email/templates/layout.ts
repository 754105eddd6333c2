/**
 * The one layout every mail shares, drawn twice from the same parts: HTML (a centred card, inline
 * styles, as mail clients need) and plain text. Every value is text and is escaped here; nothing a
 * user typed ever reaches the HTML unescaped.
 */
import type { Config } from '#config';

export interface Site {
  /** TeamSettings.SiteName. */
  name: string;
  /** ServiceSettings.SiteURL, without a trailing slash. */
  url: string;
}

/** The site a mail speaks for: TeamSettings.SiteName and ServiceSettings.SiteURL. */
export function siteOf(cfg: Config): Site {
  return { name: cfg.TeamSettings.SiteName || 'Mattermost', url: cfg.ServiceSettings.SiteURL.replace(/\/+$/, '') };
}

/** One post in a notification or a digest. */
export interface PostBlock {
  sender: string;
  /** Where it was posted ("Town Square", a group's members); empty for a direct message. */
  channel: string;
  /** "14:05 UTC" in the recipient's zone. */
  time: string;
  /** The message as typed; empty when the contents are generic. */
  message: string;
  /** The permalink. */
  url: string;
}

export interface MailParts {
  title: string;
  /** Paragraphs of text under the title. */
  lines: string[];
  button?: { label: string; url: string };
  posts?: PostBlock[];
  /** Small print under the card. */
  footer?: string[];
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Text as HTML: escaped, its line breaks kept. */
function paragraphHtml(text: string): string {
  return escapeHtml(text).replace(/\r?\n/g, '<br>');
}

/** Only http(s) links become buttons; anything else (a SiteURL typo, a javascript: URL) shows as text. */
function safeUrl(url: string): string | null {
  return /^https?:\/\//i.test(url) ? url : null;
}

export function renderMail(site: Site, subject: string, parts: MailParts): RenderedMail {
  return { subject, text: renderText(site, parts), html: renderHtml(site, subject, parts) };
}

function renderText(site: Site, parts: MailParts): string {
  const out: string[] = [parts.title, ''];
  for (const line of parts.lines) out.push(line, '');
  for (const p of parts.posts ?? []) {
    out.push([p.sender, p.channel, p.time].filter(Boolean).join(' · '));
    if (p.message) out.push(p.message);
    out.push(p.url, '');
  }
  if (parts.button) out.push(`${parts.button.label}: ${parts.button.url}`, '');
  for (const line of parts.footer ?? []) out.push(line);
  out.push('', `— ${site.name}${site.url ? ` (${site.url})` : ''}`);
  return (
    out
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n'
  );
}

function renderHtml(site: Site, subject: string, parts: MailParts): string {
  const button = parts.button ? buttonHtml(parts.button) : '';
  const posts = (parts.posts ?? []).map(postHtml).join('');
  const lines = parts.lines.map((l) => `<p style="margin:0 0 12px;font-size:15px;line-height:22px;color:#3f4350">${paragraphHtml(l)}</p>`).join('');
  const footer = (parts.footer ?? []).map((l) => `<p style="margin:0 0 6px">${paragraphHtml(l)}</p>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background:#f3f3f3;font-family:'Open Sans',Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f3f3;padding:24px 0"><tr><td align="center">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border:1px solid #e0e0e0;border-radius:8px">
<tr><td style="padding:24px 32px 0;font-size:14px;font-weight:600;color:#1c58d9">${escapeHtml(site.name)}</td></tr>
<tr><td style="padding:16px 32px 8px"><h1 style="margin:0 0 16px;font-size:22px;line-height:30px;color:#1b1d22">${escapeHtml(parts.title)}</h1>${lines}</td></tr>
${posts ? `<tr><td style="padding:0 32px">${posts}</td></tr>` : ''}
${button ? `<tr><td style="padding:8px 32px 24px">${button}</td></tr>` : ''}
</table>
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px"><tr><td style="padding:16px 32px;font-size:12px;line-height:18px;color:#7b7e86">${footer}</td></tr></table>
</td></tr></table>
</body></html>
`;
}

function buttonHtml(button: { label: string; url: string }): string {
  const url = safeUrl(button.url);
  if (!url) return `<p style="margin:0;font-size:14px;color:#3f4350">${escapeHtml(button.label)}: ${escapeHtml(button.url)}</p>`;
  return `<a href="${escapeHtml(url)}" style="display:inline-block;padding:12px 20px;background:#1c58d9;color:#ffffff;border-radius:4px;font-size:14px;font-weight:600;text-decoration:none">${escapeHtml(button.label)}</a>`;
}

function postHtml(p: PostBlock): string {
  const url = safeUrl(p.url);
  const head = [p.sender, p.channel, p.time].filter(Boolean).map(escapeHtml).join(' · ');
  const message = p.message ? `<p style="margin:6px 0 0;font-size:15px;line-height:22px;color:#1b1d22">${paragraphHtml(p.message)}</p>` : '';
  const link = url ? `<p style="margin:8px 0 0;font-size:13px"><a href="${escapeHtml(url)}" style="color:#1c58d9">View the message</a></p>` : '';
  return `<div style="margin:0 0 16px;padding:12px 16px;border:1px solid #e0e0e0;border-radius:4px"><p style="margin:0;font-size:13px;font-weight:600;color:#3f4350">${head}</p>${message}${link}</div>`;
}
