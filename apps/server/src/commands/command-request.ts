import { STATUS_CODES } from 'node:http';
import { badRequest } from '#common';
import type { Config } from '#config';
import { integrationRequest } from '../common/outbound/integration-request.js';
import { commandResponse, CommandResponse, CommandView } from './command.model.js';
import { stringifyFieldValues } from './slack-text.js';

/** What a custom command's request carries (tryExecuteCustomCommand's form values). */
export interface CommandPayload {
  token: string;
  team_id: string;
  team_domain: string;
  channel_id: string;
  channel_name: string;
  user_id: string;
  user_name: string;
  command: string;
  text: string;
  trigger_id: string;
  root_id: string;
  response_url: string;
  /** Mentioned team members and public channels, name → id (user_mentions / channel_mentions with their _ids). */
  userMentions: Array<[string, string]>;
  channelMentions: Array<[string, string]>;
}

/** url.QueryEscape: everything but letters, digits and -_.~ escaped, spaces as '+'. */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** url.Values.Encode: keys sorted, a key's values in order. */
export function encodeForm(values: Array<[string, string]>): string {
  const keys = [...new Set(values.map(([k]) => k))].sort();
  return keys.flatMap((k) => values.filter(([key]) => key === k).map(([, v]) => `${queryEscape(k)}=${queryEscape(v)}`)).join('&');
}

export function payloadValues(p: CommandPayload): Array<[string, string]> {
  const values: Array<[string, string]> = [
    ['token', p.token],
    ['team_id', p.team_id],
    ['team_domain', p.team_domain],
    ['channel_id', p.channel_id],
    ['channel_name', p.channel_name],
    ['user_id', p.user_id],
    ['user_name', p.user_name],
    ['command', p.command],
    ['text', p.text],
    ['trigger_id', p.trigger_id],
    ['root_id', p.root_id],
    ['response_url', p.response_url],
  ];
  for (const [name, id] of p.userMentions) values.push(['user_mentions', name], ['user_mentions_ids', id]);
  for (const [name, id] of p.channelMentions) values.push(['channel_mentions', name], ['channel_mentions_ids', id]);
  return values;
}

const failed = (trigger: string, detail: string) =>
  badRequest('api.command.execute_command.failed.app_error', `Command with a trigger of '${trigger}' failed.`, detail);

/**
 * DoCommandRequest: a GET with the values in the query (after any the URL has) or a form-encoded
 * POST, with `Authorization: Token <token>`, through the outbound guard. Anything but a 200 fails,
 * as does an answer that does not decode. Mattermost answers these failures with 500; they are the
 * integration's, not this server's, so here they are 400s, as Mattermost's own action requests
 * answer the same failures.
 */
export async function requestCommand(config: Config, command: CommandView, payload: CommandPayload): Promise<CommandResponse> {
  const form = encodeForm(payloadValues(payload));
  const get = command.method === 'G';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (command.token) headers.Authorization = `Token ${command.token}`;
  if (!get) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  let url = command.url;
  if (get) url += (url.includes('?') ? (url.endsWith('?') ? '' : '&') : '?') + form;
  let answer;
  try {
    answer = await integrationRequest(config, url, { method: get ? 'GET' : 'POST', headers, body: get ? undefined : form });
  } catch (err) {
    throw failed(command.trigger, (err as Error).message);
  }
  if (answer.status !== 200) {
    throw badRequest(
      'api.command.execute_command.failed_resp.app_error',
      `Command with a trigger of '${command.trigger}' returned response ${answer.status} ${STATUS_CODES[answer.status] ?? ''}.`.replace(' .', '.'),
      answer.body.toString('utf8'),
    );
  }
  try {
    return parseCommandResponse(answer.mediaType, answer.body.toString('utf8'));
  } catch (err) {
    throw failed(command.trigger, (err as Error).message);
  }
}

/** CommandResponseFromHTTPBody: JSON when the answer says application/json, otherwise the body is the text. */
export function parseCommandResponse(mediaType: string, body: string): CommandResponse {
  if (mediaType !== 'application/json') return commandResponse({ text: body });
  return decodeCommandResponse(JSON.parse(body) as unknown);
}

const STRING_FIELDS = ['response_type', 'text', 'username', 'channel_id', 'icon_url', 'type', 'goto_location', 'trigger_id'] as const;

class DecodeError extends Error {}

/** model.CommandResponse from decoded JSON, refusing what Go's decoder refuses (a field of the wrong type). */
export function decodeCommandResponse(value: unknown, depth = 0): CommandResponse {
  if (value === null) return commandResponse();
  if (typeof value !== 'object' || Array.isArray(value)) throw new DecodeError('the response is not a command response object');
  const v = value as Record<string, unknown>;
  const out = commandResponse();
  for (const key of STRING_FIELDS) {
    if (v[key] === undefined || v[key] === null) continue;
    if (typeof v[key] !== 'string') throw new DecodeError(`${key} must be a string`);
    out[key] = v[key];
  }
  if (v.skip_slack_parsing !== undefined && v.skip_slack_parsing !== null) {
    if (typeof v.skip_slack_parsing !== 'boolean') throw new DecodeError('skip_slack_parsing must be a boolean');
    out.skip_slack_parsing = v.skip_slack_parsing;
  }
  if (v.props !== undefined && v.props !== null) {
    if (typeof v.props !== 'object' || Array.isArray(v.props)) throw new DecodeError('props must be an object');
    out.props = v.props as Record<string, unknown>;
  }
  if (v.attachments !== undefined && v.attachments !== null) {
    if (!Array.isArray(v.attachments) || v.attachments.some((a) => a !== null && (typeof a !== 'object' || Array.isArray(a)))) {
      throw new DecodeError('attachments must be a list of objects');
    }
    out.attachments = stringifyFieldValues(v.attachments);
  }
  // Only the top-level reply's extra responses are delivered; deeper ones are not read.
  if (depth === 0 && v.extra_responses !== undefined && v.extra_responses !== null) {
    if (!Array.isArray(v.extra_responses)) throw new DecodeError('extra_responses must be a list');
    out.extra_responses = v.extra_responses.map((r) => decodeCommandResponse(r, depth + 1));
  }
  return out;
}
