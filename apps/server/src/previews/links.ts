import { domainToASCII } from 'node:url';

/**
 * The links of a message as Mattermost's markdown inspection finds them (post_metadata.go
 * getFirstLink, getImages): text in code blocks and code spans is not markdown, `[text](url)` is a
 * link but not an autolink, `![alt](url)` is an image.
 */

const FENCED = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:\n {0,3}\1[`~]*[ \t]*(?=\n|$)|$)/gm;
const INDENTED = /^(?: {4}|\t)[^\n]*$/gm;
const CODE_SPAN = /(`+)[\s\S]*?\1/g;
const INLINE_IMAGE = /!\[[^\]\n]*\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const INLINE_LINK = /\[[^\]\n]*\]\(\s*<?[^\s)>]+>?(?:\s+"[^"]*")?\s*\)/g;
const ANGLE_AUTOLINK = /<((?:https?|ftp):\/\/[^\s<>]+)>/i;
const BARE_AUTOLINK = /(?:^|[\s*_~(])((?:https?:\/\/|ftp:\/\/|www\.)[^\s<]+)/i;

/** The message with code blocks and spans blanked (same length, so nothing shifts). */
export function withoutCode(message: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  return message.replace(FENCED, blank).replace(INDENTED, blank).replace(CODE_SPAN, blank);
}

/**
 * A bare autolink's end as the markdown autolink extension finds it: trailing punctuation is not
 * part of the link, nor is a closing parenthesis without its opening one.
 */
function trimAutolink(link: string): string {
  let end = link.length;
  for (;;) {
    const last = link[end - 1];
    if ('?!.,:*_~\'"'.includes(last)) {
      end--;
    } else if (last === ')') {
      const text = link.slice(0, end);
      if ((text.match(/\)/g) ?? []).length > (text.match(/\(/g) ?? []).length) end--;
      else break;
    } else if (last === ';' && /&[a-z0-9]+;$/i.test(link.slice(0, end))) {
      end = link.slice(0, end).lastIndexOf('&');
    } else {
      break;
    }
  }
  return link.slice(0, end);
}

/** Every autolink (bare or `<…>`) outside code and outside `[text](url)` links, in order. */
export function autolinks(message: string): string[] {
  let text = withoutCode(message).replace(INLINE_IMAGE, (m) => ' '.repeat(m.length));
  text = text.replace(INLINE_LINK, (m) => ' '.repeat(m.length));
  const found: Array<{ at: number; link: string }> = [];
  for (const m of text.matchAll(new RegExp(ANGLE_AUTOLINK.source, 'gi'))) found.push({ at: m.index, link: m[1] });
  const withoutAngles = text.replace(new RegExp(ANGLE_AUTOLINK.source, 'gi'), (m) => ' '.repeat(m.length));
  for (const m of withoutAngles.matchAll(new RegExp(BARE_AUTOLINK.source, 'gi'))) {
    let link = trimAutolink(m[1]);
    if (/^www\./i.test(link)) link = `http://${link}`;
    if (link.length > 'http://'.length) found.push({ at: m.index, link });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.link);
}

/** Markdown image URLs (`![alt](url)`) outside code, in order. */
export function markdownImages(message: string): string[] {
  return [...withoutCode(message).matchAll(INLINE_IMAGE)].map((m) => m[1]);
}

/**
 * RestrictLinkPreviews, normalised as normalizeDomains does: commas and @ signs optional, lower
 * case, whitespace separated.
 */
export function restrictedDomains(setting: string): string[] {
  return setting.replace(/[@,]/g, ' ').toLowerCase().trim().split(/\s+/).filter(Boolean);
}

/**
 * isLinkAllowedForPreview: a link whose host (in its IDNA ASCII form) contains a restricted domain
 * gets no preview; so does one that cannot be parsed, to stay on the safe side.
 */
export function linkAllowedForPreview(link: string, restricted: string[]): boolean {
  if (restricted.length === 0) return true;
  let host: string;
  try {
    host = domainToASCII(new URL(link).hostname);
  } catch {
    return false;
  }
  if (!host) return false;
  return !restricted.some((d) => host.includes(d));
}

/** The first autolink that may be previewed (getFirstLink). */
export function firstLink(message: string, restricted: string[]): string {
  return autolinks(message).find((l) => linkAllowedForPreview(l, restricted)) ?? '';
}

/** Markdown images that may be previewed (getImages). */
export function previewableImages(message: string, restricted: string[]): string[] {
  return markdownImages(message).filter((l) => linkAllowedForPreview(l, restricted));
}

/** A cheap test before any parsing: posts without anything link-like need no metadata work. */
export function mayHaveLinks(message: string): boolean {
  return /https?:\/\/|ftp:\/\/|www\.|!\[/i.test(message);
}

/** PostWithProxyAddedToImageURLs for the message: each markdown image's URL goes through the proxy. */
export function proxyMessageImages(message: string, toProxy: (url: string) => string): string {
  const code = withoutCode(message);
  let out = '';
  let last = 0;
  for (const m of code.matchAll(INLINE_IMAGE)) {
    const start = m.index + m[0].indexOf(m[1]);
    out += message.slice(last, start) + toProxy(m[1]);
    last = start + m[1].length;
  }
  return out + message.slice(last);
}
