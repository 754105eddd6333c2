/**
 * Slack compatibility for integrations (incoming webhooks, outgoing webhook answers): Slack's
 * markup in text, and message attachments decoded and stored the way Mattermost's
 * model.SlackAttachment is, so that its clients render them. Pure functions; the one lookup
 * (`<@id>` → `@username`) is passed in.
 */

/** A decoding problem: the payload is refused with model.incoming_hook.parse_data.app_error. */
export class SlackDecodeError extends Error {}

/** model.SlackAttachmentField as stored: the value is a string once processed (or null). */
export interface SlackAttachmentField {
  title: string;
  value: unknown;
  short: boolean;
}

/** model.SlackAttachment, every key present as Go marshals the struct (`actions` only when some). */
export interface SlackAttachment {
  id: number;
  fallback: string;
  color: string;
  pretext: string;
  author_name: string;
  author_link: string;
  author_icon: string;
  title: string;
  title_link: string;
  text: string;
  /** Null entries only before processAttachments, which drops them. */
  fields: Array<SlackAttachmentField | null> | null;
  image_url: string;
  thumb_url: string;
  footer: string;
  footer_icon: string;
  ts: unknown;
  actions?: unknown[];
}

// ---- markup --------------------------------------------------------------------------------------

const ANNOUNCEMENTS: Array<[string, string]> = [
  ['<!channel>', '@channel'],
  ['<!here>', '@here'],
  ['<!all>', '@all'],
];

/**
 * Slack's announcements as Mattermost mentions (expandAnnouncement): `<!channel>`, `<!here>` and
 * `<!all>`. Mattermost converts these three only; `<!everyone>` stays as written.
 */
export function expandAnnouncements(text: string): string {
  let out = text;
  for (const [slack, mention] of ANNOUNCEMENTS) out = out.split(slack).join(mention);
  return out;
}

const USER_ID_MENTION = /<@([a-zA-Z0-9]+)>/g;

/** The ids of Slack-style user mentions (`<@id>`) in a text. */
export function mentionedUserIds(text: string): string[] {
  return [...text.matchAll(USER_ID_MENTION)].map((m) => m[1]);
}

/** `<@id>` → `@username` for the users found (replaceUserIds); unknown ids stay as written. */
export function replaceUserMentions(text: string, usernames: ReadonlyMap<string, string>): string {
  return text.replace(USER_ID_MENTION, (whole, id: string) => {
    const name = usernames.get(id);
    return name === undefined ? whole : `@${name}`;
  });
}

/** ProcessSlackText: announcements, then user mentions. */
export function processSlackText(text: string, usernames: ReadonlyMap<string, string>): string {
  return replaceUserMentions(expandAnnouncements(text), usernames);
}

/** A post's text: `<url|label>` → `[label](url)` (CreateWebhookPost's pattern: no newlines inside). */
export function postLinksToMarkdown(text: string): string {
  return text.replace(/<([^\n<|>]+)\|([^|\n>]+)>/g, '[$2]($1)');
}

/** An attachment's text, pretext and field values: `<url|label>` → `[label](url)` (ParseSlackLinksToMarkdown). */
export function attachmentLinksToMarkdown(text: string): string {
  return text.replace(/<([^<|]+)\|([^>]+)>/g, '[$2]($1)');
}

// ---- decoding ------------------------------------------------------------------------------------

/**
 * A field of a JSON object as Go's decoder finds it: the exact key, else one equal to it
 * ignoring case.
 */
export function goField(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** A string field: absent or null is '', anything but a string cannot be decoded. */
export function goString(obj: Record<string, unknown>, key: string): string {
  const value = goField(obj, key);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new SlackDecodeError(`${key} must be a string`);
  return value;
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** SlackCompatibleBool: true/false, as literals or strings, in any case. */
function slackBool(value: unknown, key: string): boolean {
  if (value === undefined) return false;
  if (value === true || value === false) return value;
  if (typeof value === 'string' && ['true', 'false'].includes(value.toLowerCase())) return value.toLowerCase() === 'true';
  throw new SlackDecodeError(`${key} must be true or false`);
}

function goInt64(value: unknown, key: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new SlackDecodeError(`${key} must be an integer`);
  return value;
}

function decodeField(raw: unknown): SlackAttachmentField | null {
  if (raw === null) return null;
  if (!isObject(raw)) throw new SlackDecodeError('a field must be an object');
  const value = goField(raw, 'value');
  return { title: goString(raw, 'title'), value: value === undefined ? null : value, short: slackBool(goField(raw, 'short'), 'short') };
}

function decodeAttachment(raw: unknown): SlackAttachment | null {
  if (raw === null) return null;
  if (!isObject(raw)) throw new SlackDecodeError('an attachment must be an object');
  const fields = goField(raw, 'fields');
  if (fields !== undefined && fields !== null && !Array.isArray(fields)) throw new SlackDecodeError('fields must be a list');
  const actions = goField(raw, 'actions');
  if (actions !== undefined && actions !== null && (!Array.isArray(actions) || actions.some((a) => a !== null && !isObject(a)))) {
    throw new SlackDecodeError('actions must be a list of objects');
  }
  const ts = goField(raw, 'ts');
  const attachment: SlackAttachment = {
    id: goInt64(goField(raw, 'id'), 'id'),
    fallback: goString(raw, 'fallback'),
    color: goString(raw, 'color'),
    pretext: goString(raw, 'pretext'),
    author_name: goString(raw, 'author_name'),
    author_link: goString(raw, 'author_link'),
    author_icon: goString(raw, 'author_icon'),
    title: goString(raw, 'title'),
    title_link: goString(raw, 'title_link'),
    text: goString(raw, 'text'),
    fields: Array.isArray(fields) ? fields.map(decodeField) : null,
    image_url: goString(raw, 'image_url'),
    thumb_url: goString(raw, 'thumb_url'),
    footer: goString(raw, 'footer'),
    footer_icon: goString(raw, 'footer_icon'),
    ts: ts === undefined ? null : ts,
  };
  // Passed on as sent: the interactive messages work gives buttons and menus their ids.
  if (Array.isArray(actions) && actions.length > 0) attachment.actions = actions;
  return attachment;
}

/**
 * `attachments` of a payload: null or absent is none; a list whose entries are attachment
 * objects (null entries are kept here and dropped by processAttachments, as Mattermost does).
 */
export function decodeAttachments(raw: unknown): Array<SlackAttachment | null> | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) throw new SlackDecodeError('attachments must be a list');
  return raw.map(decodeAttachment);
}

// ---- processing ----------------------------------------------------------------------------------

/**
 * A value as Go's fmt prints it with %v, for field values sent as numbers, booleans or objects
 * (StringifySlackFieldValue): 1000000 is "1e+06", as in Mattermost.
 */
export function goValueString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map(goValueString).join(' ')}]`;
  const entries = Object.keys(value as object)
    .sort()
    .map((k) => `${k}:${goValueString((value as Record<string, unknown>)[k])}`);
  return `map[${entries.join(' ')}]`;
}

/** strconv.FormatFloat(f, 'g', -1, 64): the shortest digits, exponent form from 1e+06 and below 1e-04. */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const [mantissa, expText] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(n);
}

/**
 * ProcessSlackAttachments then ParseSlackAttachment: null attachments and fields dropped, field
 * values as strings, Slack's markup in pretext, text, title and values expanded, and links in
 * text, pretext and values turned into Markdown.
 */
export function processAttachments(attachments: ReadonlyArray<SlackAttachment | null>, usernames: ReadonlyMap<string, string>): SlackAttachment[] {
  const out: SlackAttachment[] = [];
  for (const original of attachments) {
    if (!original) continue;
    const a: SlackAttachment = { ...original };
    a.pretext = attachmentLinksToMarkdown(processSlackText(a.pretext, usernames));
    a.text = attachmentLinksToMarkdown(processSlackText(a.text, usernames));
    a.title = processSlackText(a.title, usernames);
    if (a.fields) {
      a.fields = a.fields
        .filter((f): f is SlackAttachmentField => f !== null)
        .map((f) => (f.value === null ? { ...f } : { ...f, value: attachmentLinksToMarkdown(processSlackText(goValueString(f.value), usernames)) }));
    }
    out.push(a);
  }
  return out;
}

/** Every text of a payload that may hold `<@id>` mentions, for one lookup of their users. */
export function textsWithMentions(text: string, attachments: ReadonlyArray<SlackAttachment | null> | null): string[] {
  const texts = [text];
  for (const a of attachments ?? []) {
    if (!a) continue;
    texts.push(a.pretext, a.text, a.title);
    for (const f of a.fields ?? []) if (f && f.value !== null) texts.push(goValueString(f.value));
  }
  return texts;
}
