import { AppError, badRequest, forbidden, invalidParam, notFound } from '#common';
import { DraftInput, DraftRow, draftView, DraftView, parseDraftFields, validateDraft } from '../drafts/draft.model.js';

/** model.ScheduledPost error codes, recorded on a row the job could not send. */
export const ScheduledPostError = {
  Unknown: 'unknown',
  ChannelArchived: 'channel_archived',
  ChannelNotFound: 'channel_not_found',
  UserMissing: 'user_missing',
  UserDeleted: 'user_deleted',
  NoChannelPermission: 'no_channel_permission',
  NoChannelMember: 'no_channel_member',
  ThreadDeleted: 'thread_deleted',
  UnableToSend: 'unable_to_send',
  InvalidPost: 'invalid_post',
} as const;

const ERROR_CODES = new Set<string>(Object.values(ScheduledPostError));

/** A scheduled_posts row. claimed_at is the job's claim and never leaves the server. */
export interface ScheduledPostRow extends Omit<DraftRow, 'delete_at'> {
  id: string;
  scheduled_at: number;
  processed_at: number;
  error_code: string;
  claimed_at: number;
}

/** model.ScheduledPost on the wire: the embedded Draft's fields (delete_at included) and its own. */
export interface ScheduledPostView extends DraftView {
  id: string;
  scheduled_at: number;
  processed_at: number;
  error_code: string;
}

export function scheduledPostView(row: ScheduledPostRow, withMetadata = false): ScheduledPostView {
  return {
    ...draftView({ ...row, delete_at: 0 }, withMetadata),
    id: row.id,
    scheduled_at: row.scheduled_at,
    processed_at: row.processed_at,
    error_code: row.error_code,
  };
}

/** What a client sends to create or update one. */
export interface ScheduledPostInput extends Omit<DraftInput, 'create_at'> {
  id: string;
  scheduled_at: number;
  error_code: string;
}

export function parseScheduledPostInput(body: unknown): ScheduledPostInput {
  const { raw, channel_id, root_id, message, props, file_ids, priority } = parseDraftFields(body, 'schedule_post');
  const id = raw.id ?? '';
  const errorCode = raw.error_code ?? '';
  const scheduledAt = raw.scheduled_at ?? 0;
  if (typeof id !== 'string' || typeof errorCode !== 'string') throw invalidParam('schedule_post');
  // Only the codes the job records (a client sends back the one it was shown, or none).
  if (errorCode !== '' && !ERROR_CODES.has(errorCode)) throw invalidParam('schedule_post');
  if (typeof scheduledAt !== 'number' || !Number.isSafeInteger(scheduledAt)) throw invalidParam('schedule_post');
  return { id, channel_id, root_id, message, props, file_ids, priority, scheduled_at: scheduledAt, error_code: errorCode };
}

/**
 * How far in the past scheduled_at may be (model.scheduledPostMaxTimeGap): a little, for slow
 * networks and clocks a few seconds apart.
 */
export const SCHEDULED_AT_MAX_PAST_MS = 5000;

/** model.ScheduledPost.IsValid: the draft's checks, then its own. */
export function validateScheduledPost(p: ScheduledPostRow, now: number): void {
  validateDraft(p);
  if (p.id === '') throw invalidScheduledPost('id', p.id);
  if (p.message.length === 0 && p.file_ids.length === 0) throw invalidScheduledPost('empty_post', p.id);
  if (p.scheduled_at - now < -SCHEDULED_AT_MAX_PAST_MS) throw invalidScheduledPost('scheduled_at', p.id);
  if (p.processed_at < 0) throw invalidScheduledPost('processed_at', p.id);
}

function invalidScheduledPost(field: string, id: string): AppError {
  return badRequest(`model.scheduled_post.is_valid.${field}.app_error`, `Invalid ${field.replace(/_/g, ' ')} for scheduled post.`, `id=${id}`);
}

/** ServiceSettings.ScheduledPosts off (requireScheduledPostsEnabled). */
export const scheduledPostsDisabled = (): AppError => badRequest('api.scheduled_posts.feature_disabled', 'Scheduled posts feature is disabled.');

/** The not-found and not-yours answers of update and delete (api4/scheduled_post.go). */
export const scheduledPostNotFound = (op: 'update' | 'delete'): AppError =>
  notFound(`app.${op}_scheduled_post.existing_scheduled_post.not_exist`, 'Scheduled post does not exist.');
export const scheduledPostNotYours = (op: 'update' | 'delete'): AppError =>
  forbidden(`app.${op}_scheduled_post.${op}_permission.error`, `You do not have permission to ${op} this scheduled post.`);
