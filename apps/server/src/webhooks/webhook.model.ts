import { badRequest, isUnstorableText, isValidId } from '#common';
import { isValidHttpUrl } from '../common/outbound/integration-request.js';

/** model.IncomingWebhook, as stored and as sent (every field is public to those who may read it). */
export interface IncomingWebhook {
  id: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  user_id: string;
  channel_id: string;
  team_id: string;
  display_name: string;
  description: string;
  username: string;
  icon_url: string;
  channel_locked: boolean;
}

/** model.OutgoingWebhook, as stored and as sent (the token included: only its managers read it). */
export interface OutgoingWebhook {
  id: string;
  token: string;
  create_at: number;
  update_at: number;
  delete_at: number;
  creator_id: string;
  channel_id: string;
  team_id: string;
  trigger_words: string[];
  trigger_when: number;
  callback_urls: string[];
  display_name: string;
  description: string;
  content_type: string;
  username: string;
  icon_url: string;
}

/** trigger_when: the first word is a trigger word, or starts with one. */
export const TRIGGER_WORDS_EXACT_MATCH = 0;
export const TRIGGER_WORDS_STARTS_WITH = 1;

/** model.DefaultWebhookUsername: the name shown when overrides are on and the hook names none. */
export const DEFAULT_WEBHOOK_USERNAME = 'webhook';

/** Go's len(): the limits in model.*Webhook.IsValid count bytes. */
function bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function check(ok: boolean, id: string, message: string): void {
  if (!ok) throw badRequest(id, message);
}

function storable(text: string, max: number): boolean {
  return bytes(text) <= max && !isUnstorableText(text);
}

/** model.IncomingWebhook.IsValid for what a client writes. */
export function validateIncoming(h: IncomingWebhook): void {
  check(isValidId(h.channel_id), 'model.incoming_hook.channel_id.app_error', 'Invalid channel id.');
  check(storable(h.display_name, 64), 'model.incoming_hook.display_name.app_error', 'Invalid display name.');
  check(storable(h.description, 500), 'model.incoming_hook.description.app_error', 'Invalid description.');
  check(storable(h.username, 64), 'model.incoming_hook.username.app_error', 'Invalid username.');
  check(storable(h.icon_url, 1024), 'model.incoming_hook.icon_url.app_error', 'Invalid icon.');
}

/** The trigger words as Mattermost measures them (fmt.Sprintf("%s") of the list: "[a b]"). */
function listLength(list: string[]): number {
  return bytes(`[${list.join(' ')}]`);
}

/** model.OutgoingWebhook.IsValid for what a client writes. */
export function validateOutgoing(h: OutgoingWebhook): void {
  const id = (field: string) => `model.outgoing_hook.is_valid.${field}.app_error`;
  check(h.channel_id === '' || isValidId(h.channel_id), id('channel_id'), 'Invalid channel id.');
  check(isValidId(h.team_id), id('team_id'), 'Invalid team id.');
  check(listLength(h.trigger_words) <= 1024, id('words'), 'Invalid trigger words.');
  check(!h.trigger_words.some((w) => w === '' || isUnstorableText(w)), id('trigger_words'), 'Invalid trigger words.');
  check(h.callback_urls.length > 0 && listLength(h.callback_urls) <= 1024, id('callback'), 'Invalid callback urls.');
  check(
    h.callback_urls.every((u) => isValidHttpUrl(u) && !isUnstorableText(u)),
    id('url'),
    'Invalid callback urls. Each must be a valid URL and start with http:// or https://.',
  );
  check(storable(h.display_name, 64), id('display_name'), 'Invalid display name.');
  check(storable(h.description, 500), id('description'), 'Invalid description.');
  check(storable(h.content_type, 128), id('content_type'), 'Invalid value for content_type.');
  // Mattermost reports a trigger_when past 1 with the content_type error id.
  check(h.trigger_when === TRIGGER_WORDS_EXACT_MATCH || h.trigger_when === TRIGGER_WORDS_STARTS_WITH, id('content_type'), 'Invalid value for trigger_when.');
  check(storable(h.username, 64), 'model.outgoing_hook.username.app_error', 'Invalid username.');
  check(storable(h.icon_url, 1024), 'model.outgoing_hook.icon_url.app_error', 'Invalid icon.');
}

/** The trigger word a post's first word fires, or undefined (TriggerWordExactMatch / StartsWith). */
export function matchedTriggerWord(hook: Pick<OutgoingWebhook, 'trigger_words' | 'trigger_when'>, firstWord: string): string | undefined {
  if (firstWord === '') return undefined;
  if (hook.trigger_when === TRIGGER_WORDS_STARTS_WITH) return hook.trigger_words.find((t) => firstWord.startsWith(t));
  return hook.trigger_words.find((t) => t === firstWord);
}

/**
 * Which of a team's outgoing hooks a post in `channelId` fires, each with its trigger word
 * (handleWebhookEvents): a hook on the channel without trigger words fires on every post (word
 * ''); otherwise a hook on that channel or on none fires on its trigger words. Unlike
 * Mattermost, which sends every hook the trigger word of the last one matched, each hook gets
 * its own.
 */
export function firedHooks<T extends Pick<OutgoingWebhook, 'channel_id' | 'trigger_words' | 'trigger_when'>>(
  hooks: T[],
  channelId: string,
  message: string,
): Array<{ hook: T; triggerWord: string }> {
  const firstWord = message.trim().split(/\s+/)[0] ?? '';
  const fired: Array<{ hook: T; triggerWord: string }> = [];
  for (const hook of hooks) {
    if (hook.channel_id !== channelId && hook.channel_id !== '') continue;
    if (hook.channel_id === channelId && hook.trigger_words.length === 0) {
      fired.push({ hook, triggerWord: '' });
      continue;
    }
    const word = matchedTriggerWord(hook, firstWord);
    if (word !== undefined) fired.push({ hook, triggerWord: word });
  }
  return fired;
}
