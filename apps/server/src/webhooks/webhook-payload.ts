import busboy from 'busboy';
import { AppError, badRequest, findJsonInputProblem } from '#common';
import { POST_PROPS_MAX_DEPTH } from '../posts/post.model.js';
import { decodeAttachments, goField, goString, isObject, SlackAttachment, SlackDecodeError } from './slack.js';

/** model.PostPriority as a webhook sends it (each part optional). */
export interface WebhookPriority {
  priority?: string;
  requested_ack?: boolean;
  persistent_notifications?: boolean;
}

/** model.IncomingWebhookRequest: what POST /hooks/{id} carries (and, less `channel`, an outgoing webhook's answer). */
export interface IncomingWebhookRequest {
  text: string;
  username: string;
  icon_url: string;
  channel: string;
  props: Record<string, unknown>;
  attachments: Array<SlackAttachment | null> | null;
  type: string;
  icon_emoji: string;
  priority: WebhookPriority | null;
}

export function parseDataError(hookId: string, detail = '') {
  return badRequest(
    'model.incoming_hook.parse_data.app_error',
    'Unable to parse incoming data.',
    detail ? `hook_id=${hookId}, ${detail}` : `hook_id=${hookId}`,
  );
}

/**
 * The media type of a Content-Type header (mime.ParseMediaType), lower-cased; '' when there is
 * none. A header that is not `type/subtype[; params]` is the handler's 400.
 */
export function mediaType(header: string | undefined, hookId: string): string {
  if (header === undefined || header.trim() === '') return '';
  const type = header.split(';')[0].trim().toLowerCase();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(type)) {
    throw badRequest(
      'api.webhook.incoming.error',
      'Could not decode the multipart data of incoming webhook.',
      `webhook_id=${hookId}, error: mime: invalid media type`,
    );
  }
  return type;
}

/**
 * The payload of POST /hooks/{id} as web/webhook.go reads it: a form's `payload` field for
 * application/x-www-form-urlencoded (the body's, else the query's), the body itself otherwise.
 */
export function payloadText(body: Buffer, type: string, query: Record<string, unknown>): string {
  if (type === 'application/x-www-form-urlencoded') {
    const fromBody = new URLSearchParams(body.toString('utf8')).get('payload');
    if (fromBody !== null) return fromBody;
    return typeof query.payload === 'string' ? query.payload : '';
  }
  return body.toString('utf8');
}

/**
 * Unescaped newlines and tabs inside the string values of Slack's text keys, which some
 * integrations send (escapeControlCharsFromPayload); tried only when the payload is not valid JSON.
 */
export function escapeControlChars(text: string): string {
  return text.replace(/"(text|fallback|pretext|author_name|title|value)"\s*:\s*"(\\"|[^"])*"/gs, (m) => m.replace(/\n/g, '\\n').replace(/\t/g, '\\t'));
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function decodePriority(raw: unknown): WebhookPriority | null {
  if (raw === undefined || raw === null) return null;
  if (!isObject(raw)) throw new SlackDecodeError('priority must be an object');
  const out: WebhookPriority = {};
  const priority = goField(raw, 'priority');
  const ack = goField(raw, 'requested_ack');
  const persistent = goField(raw, 'persistent_notifications');
  if (priority !== undefined && priority !== null) {
    if (typeof priority !== 'string') throw new SlackDecodeError('priority.priority must be a string');
    out.priority = priority;
  }
  if (ack !== undefined && ack !== null) {
    if (typeof ack !== 'boolean') throw new SlackDecodeError('priority.requested_ack must be a boolean');
    out.requested_ack = ack;
  }
  if (persistent !== undefined && persistent !== null) {
    if (typeof persistent !== 'boolean') throw new SlackDecodeError('priority.persistent_notifications must be a boolean');
    out.persistent_notifications = persistent;
  }
  return out;
}

/**
 * The request fields from a decoded JSON value, as Go decodes model.IncomingWebhookRequest: keys
 * matched ignoring case, unknown keys ignored, a value of the wrong type refused; `null` is an
 * empty request.
 */
export function requestFromJson(value: unknown): IncomingWebhookRequest {
  if (value !== null && !isObject(value)) throw new SlackDecodeError('the payload must be a JSON object');
  // Too deep, a key that reaches a prototype, or text PostgreSQL cannot store: refused before anything walks it.
  if (findJsonInputProblem(value, POST_PROPS_MAX_DEPTH)) throw new SlackDecodeError('the payload holds nesting, keys or text that cannot be stored');
  const o = value ?? {};
  const props = goField(o, 'props');
  if (props !== undefined && props !== null && !isObject(props)) throw new SlackDecodeError('props must be an object');
  const attachments = goField(o, 'attachments');
  return {
    text: goString(o, 'text'),
    username: goString(o, 'username'),
    icon_url: goString(o, 'icon_url'),
    channel: goString(o, 'channel'),
    props: (props as Record<string, unknown> | null | undefined) ?? {},
    attachments: decodeAttachments(attachments),
    type: goString(o, 'type'),
    icon_emoji: goString(o, 'icon_emoji'),
    priority: decodePriority(goField(o, 'priority')),
  };
}

/** IncomingWebhookRequestFromJSON: JSON, or failing that JSON once stray control characters are escaped. */
export function decodeIncomingRequest(text: string, hookId: string): IncomingWebhookRequest {
  let parsed = parseJson(text);
  if (!parsed.ok) parsed = parseJson(escapeControlChars(text));
  if (!parsed.ok) throw parseDataError(hookId, 'the payload is not valid JSON');
  try {
    return requestFromJson(parsed.value);
  } catch (err) {
    if (err instanceof SlackDecodeError) throw parseDataError(hookId, err.message);
    throw err;
  }
}

function multipartError(hookId: string, detail: string): AppError {
  return badRequest('api.webhook.incoming.error', 'Could not decode the multipart data of incoming webhook.', `webhook_id=${hookId}, error: ${detail}`);
}

/** The form fields of a multipart body (files are read and dropped), in order; a body that is not multipart is refused. */
function multipartFields(body: Buffer, contentType: string, hookId: string): Promise<Array<[string, string]>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits: { fields: 64, fieldSize: body.length + 1 } });
    } catch (err) {
      reject(multipartError(hookId, (err as Error).message));
      return;
    }
    const fields: Array<[string, string]> = [];
    parser.on('field', (name, value) => fields.push([name, value]));
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('error', (err: Error) => reject(multipartError(hookId, err.message)));
    parser.on('close', () => resolve(fields));
    parser.end(body);
  });
}

/**
 * The request's string fields a multipart form may set, by the names Go's form decoder
 * (gorilla/schema, no tags) knows them: the struct's field names, in any case.
 */
const MULTIPART_FIELDS: Record<string, 'text' | 'username' | 'icon_url' | 'channel' | 'type' | 'icon_emoji'> = {
  text: 'text',
  username: 'username',
  iconurl: 'icon_url',
  channelname: 'channel',
  type: 'type',
  iconemoji: 'icon_emoji',
};

/**
 * A multipart/form-data payload (web/webhook.go decodes it with gorilla/schema): the fields above;
 * any other field (props, attachments, or a JSON name such as `icon_url`) is refused, as that
 * decoder refuses a path it does not know.
 */
export async function decodeMultipartRequest(body: Buffer, contentType: string, hookId: string): Promise<IncomingWebhookRequest> {
  const req = requestFromJson(null);
  for (const [name, value] of await multipartFields(body, contentType, hookId)) {
    const key = MULTIPART_FIELDS[name.toLowerCase()];
    if (!key) throw multipartError(hookId, `schema: invalid path "${name}"`);
    if (findJsonInputProblem(value)) throw parseDataError(hookId, `${name} holds text that cannot be stored`);
    req[key] = value;
  }
  return req;
}
