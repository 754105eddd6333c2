import { AppError, badRequest, findJsonInputProblem, invalidParam, isValidId, runeCount } from '#common';
import { bodyObject } from '../common/params.js';
import { POST_FILE_IDS_MAX_RUNES, POST_MESSAGE_MAX_RUNES, POST_PROPS_MAX_DEPTH, POST_PROPS_MAX_RUNES } from '../posts/post.model.js';

/** A drafts row (model.Draft without its metadata): one per user, channel and thread root. */
export interface DraftRow {
  create_at: number;
  update_at: number;
  delete_at: number;
  user_id: string;
  channel_id: string;
  root_id: string;
  message: string;
  props: Record<string, unknown>;
  file_ids: string[];
  priority: Record<string, unknown>;
}

/**
 * model.Draft on the wire. file_ids and priority are `omitempty` in Mattermost; metadata is what
 * prepareDraftWithFileInfos adds (there is no file info table here yet, so it is always empty).
 */
export interface DraftView extends Omit<DraftRow, 'file_ids' | 'priority'> {
  file_ids?: string[];
  metadata?: Record<string, unknown>;
  priority?: Record<string, unknown>;
}

export function draftView(row: DraftRow, withMetadata: boolean): DraftView {
  const view: DraftView = {
    create_at: row.create_at,
    update_at: row.update_at,
    delete_at: row.delete_at,
    user_id: row.user_id,
    channel_id: row.channel_id,
    root_id: row.root_id,
    message: row.message,
    props: row.props ?? {},
  };
  if (row.file_ids?.length) view.file_ids = row.file_ids;
  if (withMetadata) view.metadata = {};
  if (row.priority && Object.keys(row.priority).length > 0) view.priority = row.priority;
  return view;
}

/** The fields a client writes; the rest is the server's. */
export interface DraftInput {
  channel_id: string;
  root_id: string;
  message: string;
  props: Record<string, unknown>;
  file_ids: string[];
  priority: Record<string, unknown>;
  /** Kept when the client sends one (model.Draft.PreSave), else now. */
  create_at: number;
}

/**
 * Decodes a model.Draft the way Go's JSON decoder would: a field of the wrong type fails the whole
 * body as `invalid param <name>` (Mattermost's SetInvalidParam("draft") / ("schedule_post")).
 */
export function parseDraftFields(body: unknown, name: string): DraftInput & { raw: Record<string, unknown> } {
  const b = bodyObject(body, name);
  const str = (key: string): string => {
    const v = b[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw invalidParam(name);
    return v;
  };
  const map = (key: string): Record<string, unknown> => {
    const v = b[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw invalidParam(name);
    return v as Record<string, unknown>;
  };
  const int = (key: string): number => {
    const v = b[key];
    if (v === undefined || v === null) return 0;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalidParam(name);
    return v;
  };
  const fileIds = b.file_ids ?? [];
  if (!Array.isArray(fileIds) || fileIds.some((v) => typeof v !== 'string')) throw invalidParam(name);
  return {
    channel_id: str('channel_id'),
    root_id: str('root_id'),
    message: str('message'),
    props: map('props'),
    // A client bug can send the same file twice (model.Draft.PreCommit drops repeats).
    file_ids: [...new Set(fileIds as string[])],
    priority: map('priority'),
    create_at: int('create_at'),
    raw: b,
  };
}

export function parseDraftInput(body: unknown): DraftInput {
  const { raw: _raw, ...input } = parseDraftFields(body, 'draft');
  return input;
}

function invalidDraft(field: string, channelId: string): AppError {
  return badRequest(`model.draft.is_valid.${field}.app_error`, `Invalid ${field.replace(/_/g, ' ')} for draft.`, channelId ? `channelid=${channelId}` : '');
}

/**
 * model.Draft.IsValid. The message limit is the column's size in runes at four bytes a rune, as
 * Mattermost's store computes it (varchar(65535) → 16383). Props and priority are bounded in
 * depth before their size is measured, as posts' props are.
 */
export function validateDraft(
  d: Pick<DraftRow, 'create_at' | 'update_at' | 'user_id' | 'channel_id' | 'root_id' | 'message' | 'props' | 'file_ids' | 'priority'>,
): void {
  const messageRunes = runeCount(d.message);
  if (messageRunes > POST_MESSAGE_MAX_RUNES) {
    throw badRequest(
      'model.draft.is_valid.message_length.app_error',
      `Invalid Message property length. Length: ${messageRunes}, MaxLength: ${POST_MESSAGE_MAX_RUNES}.`,
      `channelid=${d.channel_id}`,
    );
  }
  if (d.create_at === 0) throw invalidDraft('create_at', d.channel_id);
  if (d.update_at === 0) throw invalidDraft('update_at', d.channel_id);
  if (!isValidId(d.user_id)) throw invalidDraft('user_id', '');
  if (!isValidId(d.channel_id)) throw invalidDraft('channel_id', '');
  if (d.root_id !== '' && !isValidId(d.root_id)) throw invalidDraft('root_id', '');
  if (runeCount(JSON.stringify(d.file_ids)) > POST_FILE_IDS_MAX_RUNES) throw invalidDraft('file_ids', d.channel_id);
  if (findJsonInputProblem(d.props, POST_PROPS_MAX_DEPTH) || runeCount(JSON.stringify(d.props)) > POST_PROPS_MAX_RUNES) {
    throw invalidDraft('props', d.channel_id);
  }
  if (findJsonInputProblem(d.priority, POST_PROPS_MAX_DEPTH) || runeCount(JSON.stringify(d.priority)) > POST_PROPS_MAX_RUNES) {
    throw invalidDraft('priority', d.channel_id);
  }
}

export const draftsDisabled = (): AppError => new AppError('', 'api.drafts.disabled.app_error', 'Drafts are disabled.', 501);
