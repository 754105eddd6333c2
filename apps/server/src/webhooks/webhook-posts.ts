import { Injectable } from '@nestjs/common';
import { AppError, badRequest, runeCount } from '#common';
import { ConfigService } from '#config';
import { parsePriorityInput, type PostPriorityView } from '../posts/post-priority.js';
import { POST_MESSAGE_MAX_RUNES, PostView, SYSTEM_POST_PREFIX } from '../posts/post.model.js';
import { PostsService } from '../posts/posts.service.js';
import type { ChannelRow } from '../channels/channel.model.js';
import type { UserRow } from '../users/user.model.js';
import { UsersRepository } from '../users/users.repository.js';
import { mentionedUserIds, postLinksToMarkdown, processAttachments, processSlackText, SlackAttachment, textsWithMentions } from './slack.js';
import type { WebhookPriority } from './webhook-payload.js';
import { DEFAULT_WEBHOOK_USERNAME } from './webhook.model.js';

/** model.PostPropsMaxUserRunes: what a split's props may hold, leaving room for the server's own. */
export const POST_PROPS_MAX_USER_RUNES = 400000;

/** Post types a webhook may give besides `custom_*` ones (model.Post.IsValid, less the system types). */
const WEBHOOK_POST_TYPES = new Set(['', 'slack_attachment', 'me']);
const CUSTOM_POST_PREFIX = 'custom_';

/** What CreateWebhookPost takes: the hook's owner posts, shown as the override name and icon. */
export interface WebhookPostInput {
  owner: UserRow;
  channel: ChannelRow;
  /** Already through processSlackText. */
  text: string;
  overrideUsername: string;
  overrideIconUrl: string;
  overrideIconEmoji: string;
  props: Record<string, unknown>;
  /** Already through processAttachments. */
  attachments: SlackAttachment[];
  type: string;
  rootId: string;
  priority: WebhookPriority | null;
}

/** One post of a split: its message and props. */
export interface PostSplit {
  message: string;
  props: Record<string, unknown>;
}

function splitPropsTooLong(): AppError {
  return badRequest('web.incoming_webhook.split_props_length.app_error', `Unable to split webhook props into ${POST_PROPS_MAX_USER_RUNES} character parts.`);
}

function jsonRunes(value: unknown): number {
  return runeCount(JSON.stringify(value));
}

/** The text cut into parts of at most `max` characters (code points). */
function chunks(text: string, max: number): string[] {
  const chars = [...text];
  if (chars.length <= max) return [text];
  const parts: string[] = [];
  for (let i = 0; i < chars.length; i += max) parts.push(chars.slice(i, i + max).join(''));
  return parts;
}

/**
 * SplitWebhookPost: a text longer than a post holds becomes several posts, each with the props;
 * the attachments go on the last one, and on further posts (without text) when the props would
 * grow past POST_PROPS_MAX_USER_RUNES. A single attachment too big for a post has its text cut.
 */
export function splitWebhookPost(message: string, props: Record<string, unknown>, attachments: SlackAttachment[], maxPostSize: number): PostSplit[] {
  if (jsonRunes(props) > POST_PROPS_MAX_USER_RUNES) throw splitPropsTooLong();
  const splits: PostSplit[] = chunks(message, maxPostSize).map((m) => ({ message: m, props: { ...props } }));
  for (const attachment of attachments) {
    for (;;) {
      const last = splits[splits.length - 1];
      const existing = (last.props.attachments as SlackAttachment[] | undefined) ?? [];
      const next = { ...last.props, attachments: [...existing, attachment] };
      const runes = jsonRunes(next);
      if (runes <= POST_PROPS_MAX_USER_RUNES) {
        last.props = next;
        break;
      }
      if (existing.length > 0) {
        splits.push({ message: '', props: { ...props } });
        continue;
      }
      const excess = runes - POST_PROPS_MAX_USER_RUNES;
      const text = [...attachment.text];
      if (text.length < excess) throw splitPropsTooLong();
      last.props = { ...last.props, attachments: [{ ...attachment, text: text.slice(0, text.length - excess).join('') }] };
      break;
    }
  }
  return splits;
}

/** The post type a webhook asked for, with `slack_attachment` when it sends attachments and no type. */
function webhookPostType(type: string, hasAttachments: boolean): string {
  if (type.startsWith(SYSTEM_POST_PREFIX)) throw badRequest('api.context.invalid_param.app_error', 'Invalid post.type parameter.');
  const effective = type === '' && hasAttachments ? 'slack_attachment' : type;
  if (!WEBHOOK_POST_TYPES.has(effective) && !effective.startsWith(CUSTOM_POST_PREFIX)) {
    throw badRequest('model.post.is_valid.type.app_error', 'Invalid type for post.', `type=${effective}`);
  }
  return effective;
}

function webhookPriority(priority: WebhookPriority | null): PostPriorityView | null {
  if (!priority) return null;
  if (priority.priority === undefined) {
    throw badRequest(
      'api.context.invalid_param.app_error',
      'Invalid webhook.priority.priority parameter.',
      'Setting the priority of a post is required to use priority.',
    );
  }
  return parsePriorityInput({ priority });
}

/**
 * Posts made by webhooks (App.CreateWebhookPost and the Slack processing before it), shared by
 * incoming webhooks and outgoing webhooks' answers.
 */
@Injectable()
export class WebhookPosts {
  constructor(
    private readonly posts: PostsService,
    private readonly users: UsersRepository,
    private readonly config: ConfigService,
  ) {}

  /** The usernames of the `<@id>` mentions in these texts, for processSlackText. */
  async mentionedUsernames(texts: string[]): Promise<Map<string, string>> {
    const ids = [...new Set(texts.flatMap(mentionedUserIds))];
    if (ids.length === 0) return new Map();
    return new Map((await this.users.byIds(ids)).map((u) => [u.id, u.username]));
  }

  /** ProcessSlackText and ProcessSlackAttachments over a payload's text and attachments. */
  async processSlack(text: string, attachments: ReadonlyArray<SlackAttachment | null> | null): Promise<{ text: string; attachments: SlackAttachment[] }> {
    const usernames = await this.mentionedUsernames(textsWithMentions(text, attachments));
    return { text: processSlackText(text, usernames), attachments: processAttachments(attachments ?? [], usernames) };
  }

  /**
   * CreateWebhookPost: links made Markdown, `from_webhook`, the override name and icon as the
   * settings allow, the sender's props (less the ones the server sets), then as many posts as the
   * split needs. Returns the first.
   */
  async create(input: WebhookPostInput): Promise<PostView> {
    const s = this.config.get().ServiceSettings;
    const priority = webhookPriority(input.priority);
    const type = webhookPostType(input.type, input.attachments.length > 0);
    const props: Record<string, unknown> = { from_webhook: 'true' };
    if (s.EnablePostUsernameOverride) props.override_username = input.overrideUsername || DEFAULT_WEBHOOK_USERNAME;
    if (s.EnablePostIconOverride) {
      if (input.overrideIconUrl) props.override_icon_url = input.overrideIconUrl;
      if (input.overrideIconEmoji) props.override_icon_emoji = input.overrideIconEmoji;
    }
    for (const [key, value] of Object.entries(input.props)) {
      // The sender's own `attachments` prop is dropped: only the top-level attachments are posted.
      if (!['attachments', 'override_icon_url', 'override_username', 'from_webhook'].includes(key)) props[key] = value;
    }
    const splits = splitWebhookPost(postLinksToMarkdown(input.text), props, input.attachments, POST_MESSAGE_MAX_RUNES);
    const senderName = s.EnablePostUsernameOverride ? (props.override_username as string) : undefined;
    let first: PostView | undefined;
    for (const split of splits) {
      const post = await this.posts.createForIntegration({
        poster: input.owner,
        channel_id: input.channel.id,
        channel: input.channel,
        message: split.message,
        root_id: input.rootId,
        props: split.props,
        type,
        priority,
        senderName,
      });
      first ??= post;
    }
    return first!;
  }
}
