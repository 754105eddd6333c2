/**
 * Message attachments (Slack's format, which webhooks, slash commands and bots post in
 * `props.attachments`): read defensively from a post's props, which integrations fill as they like.
 */
import type { MessageAttachment, MessageAttachmentField } from '@mattermost/types/message_attachments';
import type { PostAction } from '@mattermost/types/integration_actions';

/** Slack's named colours, as Mattermost draws them. */
const NAMED_COLOURS: Record<string, string> = { good: '#2eb886', warning: '#daa038', danger: '#a30200' };

/** The attachments of a post's props: only objects, only the fields of the right types. */
export function messageAttachments(props: Record<string, unknown> | undefined): MessageAttachment[] {
  const list = props?.attachments;
  if (!Array.isArray(list)) return [];
  return list.filter((a): a is Record<string, unknown> => !!a && typeof a === 'object' && !Array.isArray(a)).map(attachmentOf);
}

function attachmentOf(raw: Record<string, unknown>): MessageAttachment {
  const text = (key: string): string | undefined => (typeof raw[key] === 'string' ? raw[key] : undefined);
  const fields = Array.isArray(raw.fields) ? raw.fields.filter((f): f is MessageAttachmentField => !!f && typeof f === 'object' && !Array.isArray(f)) : [];
  const actions = Array.isArray(raw.actions)
    ? raw.actions.filter((a): a is PostAction => !!a && typeof a === 'object' && typeof (a as PostAction).name === 'string')
    : [];
  return {
    fallback: text('fallback'),
    color: text('color'),
    pretext: text('pretext'),
    author_name: text('author_name'),
    author_link: text('author_link'),
    author_icon: text('author_icon'),
    title: text('title'),
    title_link: text('title_link'),
    text: text('text'),
    fields,
    image_url: text('image_url'),
    thumb_url: text('thumb_url'),
    footer: text('footer'),
    footer_icon: text('footer_icon'),
    actions,
  };
}

/** The bar colour: Slack's names, or a #hex colour; nothing else reaches a style. */
export function attachmentColour(colour: string | undefined): string | undefined {
  if (!colour) return undefined;
  const named = NAMED_COLOURS[colour.toLowerCase()];
  if (named) return named;
  return /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(colour) ? colour : undefined;
}

/** A field's value as text (integrations send numbers and booleans too). */
export function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Whether an action draws as a menu (a select with options, or of users or channels) rather than a button. */
export const isMenu = (action: PostAction): boolean => action.type === 'select';
