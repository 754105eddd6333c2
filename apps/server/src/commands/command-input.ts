import { badRequest, invalidParam, isUnstorableText, isValidId } from '#common';
import { isValidHttpUrl } from '../common/outbound/integration-request.js';
import type { CommandView } from './command.model.js';

const STRINGS = [
  'id',
  'team_id',
  'creator_id',
  'trigger',
  'method',
  'username',
  'icon_url',
  'auto_complete_desc',
  'auto_complete_hint',
  'display_name',
  'description',
  'url',
] as const;

/** What a client may set on a custom command (the rest of model.Command is the server's). */
export type CommandInput = Pick<CommandView, (typeof STRINGS)[number] | 'auto_complete'>;

/**
 * A model.Command from a request body: a body that is not an object, or a field of the wrong type,
 * does not decode (Mattermost's invalid `command` parameter). Fields a client may not set (token,
 * times, plugin) are not read.
 */
export function parseCommandInput(body: unknown, param = 'command'): CommandInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidParam(param);
  const b = body as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of STRINGS) {
    const value = b[key] ?? '';
    if (typeof value !== 'string') throw invalidParam(param);
    out[key] = value;
  }
  const autoComplete = b.auto_complete ?? false;
  if (typeof autoComplete !== 'boolean') throw invalidParam(param);
  return { ...(out as Omit<CommandInput, 'auto_complete'>), auto_complete: autoComplete };
}

const MAX_TRIGGER_BYTES = 128;
/** The limits of the table's columns that Command.IsValid does not check (Mattermost's store would fail on them). */
const COLUMN_LIMITS: Array<[keyof CommandView, number]> = [
  ['username', 64],
  ['icon_url', 1024],
  ['auto_complete_desc', 1024],
  ['auto_complete_hint', 1024],
];

const invalid = (field: string, message: string) => badRequest(`model.command.is_valid.${field}.app_error`, message);
const bytes = (s: string) => Buffer.byteLength(s);

/**
 * Command.IsValid, in its order (lengths in bytes, as Go counts them), and beyond it the column
 * limits and text PostgreSQL cannot store, each refused with the field's error rather than
 * failing in the database.
 */
export function validateCommand(c: CommandView): void {
  if (!isValidId(c.team_id)) throw invalid('team_id', 'Invalid team id.');
  const trigger = c.trigger;
  if (bytes(trigger) < 1 || bytes(trigger) > MAX_TRIGGER_BYTES || trigger.startsWith('/') || trigger.includes(' ') || isUnstorableText(trigger)) {
    throw invalid('trigger', 'Invalid trigger.');
  }
  if (c.url === '' || bytes(c.url) > 1024 || isUnstorableText(c.url)) throw invalid('url', 'Invalid URL.');
  if (!isValidHttpUrl(c.url)) throw invalid('url_http', 'Invalid URL. Must be a valid URL and start with http:// or https://.');
  if (c.method !== 'P' && c.method !== 'G') throw invalid('method', 'Invalid Method.');
  if (bytes(c.display_name) > 64 || isUnstorableText(c.display_name)) throw invalid('display_name', 'Invalid title.');
  if (bytes(c.description) > 128 || isUnstorableText(c.description)) throw invalid('description', 'Invalid description.');
  for (const [field, max] of COLUMN_LIMITS) {
    const value = c[field] as string;
    if (bytes(value) > max || isUnstorableText(value)) throw invalid(field, `Invalid ${field.replace(/_/g, ' ')}.`);
  }
}
