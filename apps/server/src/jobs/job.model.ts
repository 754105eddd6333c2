import { AppError, badRequest, invalidParam } from '#common';
import { bodyObject } from '../common/params.js';

/** model/job.go statuses. */
export const JobStatus = {
  Pending: 'pending',
  InProgress: 'in_progress',
  Success: 'success',
  Error: 'error',
  CancelRequested: 'cancel_requested',
  Canceled: 'canceled',
  Warning: 'warning',
} as const;
export type JobStatusName = (typeof JobStatus)[keyof typeof JobStatus];

const STATUSES = new Set<string>(Object.values(JobStatus));
export const isJobStatus = (s: string): s is JobStatusName => STATUSES.has(s);
export const isFinished = (s: string) => s === JobStatus.Success || s === JobStatus.Error || s === JobStatus.Canceled || s === JobStatus.Warning;

/** The job types this server runs. */
export const JobType = {
  DataRetention: 'data_retention',
  ExportProcess: 'export_process',
  ImportProcess: 'import_process',
  ExpiryNotify: 'expiry_notify',
  CleanupExpiredAccessTokens: 'cleanup_expired_access_tokens',
  /** Ours: Mattermost cleans sessions with a recurring task outside the job system. */
  CleanupExpiredSessions: 'cleanup_expired_sessions',
  /** Ours: Mattermost sends scheduled posts from a recurring task on the cluster leader. */
  ScheduledPosts: 'scheduled_posts',
  LdapSync: 'ldap_sync',
  /** Ours: Mattermost mails email batching's digests from a per-node recurring task. */
  EmailBatching: 'email_batching',
} as const;

/** Every type name Mattermost knows (model.AllJobTypes), plus ours: what ?job_type may name. */
export const ALL_JOB_TYPES: readonly string[] = [
  'data_retention',
  'message_export',
  'elasticsearch_post_indexing',
  'elasticsearch_post_aggregation',
  'bleve_post_indexing',
  'ldap_sync',
  'migrations',
  'plugins',
  'expiry_notify',
  'product_notices',
  'active_users',
  'import_process',
  'import_delete',
  'export_process',
  'export_delete',
  'cloud',
  'extract_content',
  'last_accessible_post',
  'last_accessible_file',
  'cleanup_desktop_tokens',
  'cleanup_expired_access_tokens',
  'mobile_session_metadata',
  'access_control_sync',
  JobType.CleanupExpiredSessions,
  JobType.ScheduledPosts,
  JobType.EmailBatching,
];

/** A row of the jobs table. */
export interface JobRow {
  id: string;
  type: string;
  priority: number;
  create_at: number;
  start_at: number;
  last_activity_at: number;
  status: string;
  progress: number;
  data: Record<string, string>;
  attempts: number;
  claim_id: string | null;
  node_id: string;
  schedule_key: string | null;
}

/** model.Job on the wire. */
export interface Job {
  id: string;
  type: string;
  priority: number;
  create_at: number;
  start_at: number;
  last_activity_at: number;
  status: string;
  progress: number;
  data: Record<string, string>;
}

export function jobView(row: JobRow): Job {
  return {
    id: row.id,
    type: row.type,
    priority: row.priority,
    create_at: row.create_at,
    start_at: row.start_at,
    last_activity_at: row.last_activity_at,
    status: row.status,
    progress: row.progress,
    data: row.data ?? {},
  };
}

const MANAGE_JOBS = { create: 'manage_jobs', read: 'read_jobs' };
/** Types whose API permission is manage_jobs / read_jobs (app/job.go's long case). */
const GENERIC_TYPES = new Set([
  'migrations',
  'plugins',
  'product_notices',
  'expiry_notify',
  'active_users',
  'import_process',
  'import_delete',
  'export_process',
  'export_delete',
  'cloud',
  'extract_content',
  // Ours, which Mattermost keeps out of the API: admins see and run them like the others.
  JobType.CleanupExpiredAccessTokens,
  JobType.CleanupExpiredSessions,
  JobType.ScheduledPosts,
  JobType.EmailBatching,
]);
const SPECIFIC: Record<string, { create: string; read: string }> = {
  data_retention: { create: 'create_data_retention_job', read: 'read_data_retention_job' },
  message_export: { create: 'create_compliance_export_job', read: 'read_compliance_export_job' },
  elasticsearch_post_indexing: { create: 'create_elasticsearch_post_indexing_job', read: 'read_elasticsearch_post_indexing_job' },
  elasticsearch_post_aggregation: { create: 'create_elasticsearch_post_aggregation_job', read: 'read_elasticsearch_post_aggregation_job' },
  ldap_sync: { create: 'create_ldap_sync_job', read: 'read_ldap_sync_job' },
  access_control_sync: { create: 'manage_system', read: 'manage_system' },
};

/**
 * The permission that creating (and cancelling) a job of this type needs
 * (SessionHasPermissionToCreateJob); null when the API does not allow it at all.
 */
export function createPermission(type: string): string | null {
  if (Object.hasOwn(SPECIFIC, type)) return SPECIFIC[type].create;
  return GENERIC_TYPES.has(type) ? MANAGE_JOBS.create : null;
}

/** SessionHasPermissionToReadJob. */
export function readPermission(type: string): string | null {
  if (Object.hasOwn(SPECIFIC, type)) return SPECIFIC[type].read;
  if (type === 'mobile_session_metadata') return MANAGE_JOBS.read;
  return GENERIC_TYPES.has(type) ? MANAGE_JOBS.read : null;
}

/** POST /jobs body: `{type, data?}` with data a map of strings (model.Job decoding). */
export function parseCreateJob(body: unknown): { type: string; data: Record<string, string> } {
  const b = bodyObject(body, 'job');
  const type = b.type === undefined || b.type === null ? '' : b.type;
  if (typeof type !== 'string') throw invalidParam('job');
  const data: Record<string, string> = {};
  if (b.data !== undefined && b.data !== null) {
    if (typeof b.data !== 'object' || Array.isArray(b.data)) throw invalidParam('job');
    for (const [k, v] of Object.entries(b.data as Record<string, unknown>)) {
      if (typeof v !== 'string') throw invalidParam('job');
      data[k] = v;
    }
  }
  return { type, data };
}

export const incorrectJobType = (): AppError =>
  badRequest('api.job.unable_to_create_job.incorrect_job_type', 'Job type of the job you are trying to create is invalid');
export const noReadPermission = (): AppError =>
  badRequest('api.job.retrieve.nopermissions', 'Job type of the job you are trying to retrieve does not contain permissions');
export const unknownJobType = (): AppError => badRequest('model.job.is_valid.type.app_error', 'Invalid job type.');
export const jobNotFound = (): AppError => new AppError('GetJob', 'app.job.get.app_error', 'Unable to get the job.', 404);
export const invalidStatus = (): AppError => badRequest('api.job.status.invalid', 'Invalid job status.');
/** Mattermost answers 500 here; a job that already finished is the caller's mistake, so 400. */
export const cannotCancel = (id: string): AppError =>
  badRequest('jobs.request_cancellation.status.error', 'Could not request cancellation for job that is not in a cancelable state.', `id=${id}`);
