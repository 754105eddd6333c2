import { badRequest, findJsonInputProblem, isUnstorableText, isValidId, runeCount } from '#common';
import type { FileInfoView } from '../files/file-info.model.js';
import type { PostAcknowledgementView, PostPriorityView } from './post-priority.js';
import type { PostImage } from '../previews/image-info.js';
import type { PostEmbed } from '../previews/previews.service.js';
import { stripActionIntegrations } from './post-actions.js';
import { ReactionView } from './reaction-view.js';

/** A posts row plus its thread's counters (joined from `threads`). */
export interface PostRow {
  id: string;
  create_at: number;
  update_at: number;
  edit_at: number;
  delete_at: number;
  is_pinned: boolean;
  user_id: string;
  channel_id: string;
  root_id: string;
  original_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  hashtags: string;
  file_ids: string[];
  has_reactions: boolean;
  reply_count: number;
  last_reply_at: number;
  /** A root's participants as read with it (null: no thread yet); absent where the statement did not read them. */
  thread_participants?: string[] | null;
}

export interface PostMetadataView {
  reactions?: ReactionView[];
  priority?: PostPriorityView;
  acknowledgements?: PostAcknowledgementView[];
  embeds?: PostEmbed[];
  images?: Record<string, PostImage>;
  files?: FileInfoView[];
}

/**
 * model.Post as clients receive it (after PreparePostForClient): the row's fields, with
 * has_reactions left out unless true, plus what is added for the client.
 */
export interface PostView extends Omit<PostRow, 'has_reactions'> {
  pending_post_id: string;
  has_reactions?: boolean;
  participants: unknown[] | null;
  is_following?: boolean;
  metadata: PostMetadataView;
}

export interface PostViewExtras {
  reactions?: ReactionView[];
  pendingPostId?: string;
  participants?: unknown[] | null;
  priority?: PostPriorityView;
  acknowledgements?: PostAcknowledgementView[];
  files?: FileInfoView[];
}

export function toPostView(row: PostRow, extras: PostViewExtras = {}): PostView {
  const view: PostView = {
    id: row.id,
    create_at: row.create_at,
    update_at: row.update_at,
    edit_at: row.edit_at,
    delete_at: row.delete_at,
    is_pinned: row.is_pinned,
    user_id: row.user_id,
    channel_id: row.channel_id,
    root_id: row.root_id,
    original_id: row.original_id,
    message: row.message,
    type: row.type,
    // Actions' integrations (URL and private context) stay on the server.
    props: stripActionIntegrations(row.props ?? {}),
    hashtags: row.hashtags,
    file_ids: row.file_ids ?? [],
    pending_post_id: extras.pendingPostId ?? '',
    reply_count: row.reply_count,
    // Only a thread's root carries the time of its last reply.
    last_reply_at: row.root_id === '' ? row.last_reply_at : 0,
    participants: extras.participants ?? null,
    metadata: {},
  };
  if (row.has_reactions) view.has_reactions = true;
  if (extras.reactions && extras.reactions.length > 0) view.metadata.reactions = extras.reactions;
  if (extras.priority) view.metadata.priority = extras.priority;
  if (extras.acknowledgements && extras.acknowledgements.length > 0) view.metadata.acknowledgements = extras.acknowledgements;
  if (extras.files && extras.files.length > 0) view.metadata.files = extras.files;
  return view;
}

// ---- validation (model.Post.IsValid) ------------------------------------------------------------

/** model.PostMessageMaxRunesV2: 65535 bytes assuming 4 bytes a rune. */
export const POST_MESSAGE_MAX_RUNES = 16383;
export const POST_FILE_IDS_MAX_RUNES = 300;
export const POST_HASHTAGS_MAX_RUNES = 1000;
export const POST_PROPS_MAX_RUNES = 800000;
export const POST_TYPE_MAX_RUNES = 26;
/**
 * How deep props may nest. Mattermost has no cap of its own below its decoder's 10,000 levels;
 * its clients' props (attachments → fields/actions → options) stay under ten, and deeper ones
 * overflowed the serialisers and PostgreSQL's jsonb parser (500).
 */
export const POST_PROPS_MAX_DEPTH = 32;
export const SYSTEM_POST_PREFIX = 'system_';

function invalid(field: string, postId: string): never {
  throw badRequest(`model.post.is_valid.${field}.app_error`, `Invalid ${field.replace(/_/g, ' ')} for post.`, postId ? `id=${postId}` : '');
}

/** What a client may write; the server fills in the rest. */
export interface PostContent {
  id: string;
  channel_id: string;
  root_id: string;
  message: string;
  type: string;
  props: Record<string, unknown>;
  file_ids: string[];
  hashtags: string;
}

/**
 * model.Post.IsValid for what a client writes. Beyond Mattermost's checks, text PostgreSQL cannot
 * store (a NUL, an unpaired surrogate: Mattermost answers those with a 500 from the database) is
 * refused with the field's own IsValid error, and props are bounded in depth before their size is
 * measured (serialising them is recursive).
 */
export function validatePostContent(p: PostContent): void {
  if (!isValidId(p.channel_id)) invalid('channel_id', p.id);
  if (p.root_id !== '' && !isValidId(p.root_id)) invalid('root_id', p.id);
  if (runeCount(p.message) > POST_MESSAGE_MAX_RUNES || isUnstorableText(p.message)) invalid('msg', p.id);
  if (runeCount(p.hashtags) > POST_HASHTAGS_MAX_RUNES || isUnstorableText(p.hashtags)) invalid('hashtags', p.id);
  if (runeCount(p.type) > POST_TYPE_MAX_RUNES || isUnstorableText(p.type)) invalid('type', p.id);
  if (p.file_ids.some((id) => !isValidId(id)) || runeCount(JSON.stringify(p.file_ids)) > POST_FILE_IDS_MAX_RUNES) invalid('file_ids', p.id);
  if (findJsonInputProblem(p.props, POST_PROPS_MAX_DEPTH)) invalid('props', p.id);
  if (runeCount(JSON.stringify(p.props)) > POST_PROPS_MAX_RUNES) invalid('props', p.id);
}

/** Props a client may not set (model.Post.SanitizeProps). */
const SERVER_ONLY_PROPS = ['add_channel_member', 'force_notification', 'from_bot', 'from_oauth_app', 'from_plugin', 'channel_mentions', 'deleteBy'];

export function sanitizeProps(props: Record<string, unknown>): Record<string, unknown> {
  const clean = { ...props };
  for (const key of SERVER_ONLY_PROPS) delete clean[key];
  return clean;
}
