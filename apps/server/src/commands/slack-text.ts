/**
 * Slack compatibility of integration text (app/slack.go ProcessSlackText and
 * ProcessSlackAttachments, model ParseSlackAttachment): `<!channel>`, `<!here>` and `<!all>`
 * become Mattermost's mentions, `<@USERID>` the user's @username, and `<url|text>` links
 * Markdown links. A reply that sets skip_slack_parsing is taken as written.
 */

type Json = Record<string, unknown>;
export type UsernameOf = (userId: string) => Promise<string | undefined>;

const ANNOUNCEMENTS: Array<[string, string]> = [
  ['<!channel>', '@channel'],
  ['<!here>', '@here'],
  ['<!all>', '@all'],
];

/** model.ParseSlackLinksToMarkdown: `<url|text>` becomes `[text](url)`. */
export function slackLinksToMarkdown(text: string): string {
  return text.replace(/<([^<>|]+)\|([^<>|]+)>/g, '[$2]($1)');
}

/** ProcessSlackText: announcements, then user ids to usernames (an unknown id stays as it was). */
export async function processSlackText(text: string, usernameOf: UsernameOf): Promise<string> {
  for (const [from, to] of ANNOUNCEMENTS) text = text.split(from).join(to);
  const ids = [...new Set([...text.matchAll(/<@([a-zA-Z0-9]+)>/g)].map((m) => m[1]))];
  for (const id of ids) {
    const username = await usernameOf(id);
    if (username) text = text.split(`<@${id}>`).join(`@${username}`);
  }
  return text;
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** StringifySlackFieldValue: no null attachments or fields, and every field value set is a string. */
export function stringifyFieldValues(attachments: unknown[]): Json[] {
  return attachments.filter(isObject).map((a) => {
    if (!Array.isArray(a.fields)) return { ...a };
    const fields = a.fields.filter(isObject).map((f) => (f.value === undefined || f.value === null ? { ...f } : { ...f, value: goString(f.value) }));
    return { ...a, fields };
  });
}

/** fmt.Sprintf("%v") of a JSON value, for the scalars integrations send. */
function goString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** ProcessSlackAttachments: the Slack text rules on each attachment's pretext, text, title and field values. */
export async function processAttachments(attachments: unknown[], usernameOf: UsernameOf): Promise<Json[]> {
  const out: Json[] = [];
  for (const a of stringifyFieldValues(attachments)) {
    for (const key of ['pretext', 'text', 'title']) if (typeof a[key] === 'string') a[key] = await processSlackText(a[key] as string, usernameOf);
    if (Array.isArray(a.fields)) {
      for (const f of a.fields as Json[]) if (typeof f.value === 'string') f.value = await processSlackText(f.value, usernameOf);
    }
    out.push(a);
  }
  return out;
}

/** ParseSlackAttachment's link rewriting on text, pretext and string field values (the post's type and props are the caller's). */
export function attachmentLinksToMarkdown(attachments: unknown[]): Json[] {
  return attachments.filter(isObject).map((a) => {
    const copy: Json = { ...a };
    for (const key of ['text', 'pretext']) if (typeof copy[key] === 'string') copy[key] = slackLinksToMarkdown(copy[key] as string);
    if (Array.isArray(copy.fields)) {
      copy.fields = copy.fields.map((f) => (isObject(f) && typeof f.value === 'string' ? { ...f, value: slackLinksToMarkdown(f.value) } : f));
    }
    return copy;
  });
}
