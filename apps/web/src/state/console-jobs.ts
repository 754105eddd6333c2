/**
 * Jobs as the System Console lists them: one list per job type (GET /jobs/type/{type}, newest
 * first), kept up to date by the `job_updated` socket event (sent to system admins on every status
 * change) and by polling while a listed job runs (the server does not announce progress).
 */
import type { Job } from '@mattermost/types/jobs';

/** The job types this server runs (apps/server/src/jobs/handlers), with the names the console shows. */
export const CONSOLE_JOB_TYPES: ReadonlyArray<{ type: string; label: string }> = [
  { type: 'data_retention', label: 'Data retention' },
  { type: 'export_process', label: 'Bulk export' },
  { type: 'ldap_sync', label: 'AD/LDAP synchronisation' },
  { type: 'expiry_notify', label: 'Session expiry notices' },
  { type: 'cleanup_expired_sessions', label: 'Expired sessions clean-up' },
  { type: 'cleanup_expired_access_tokens', label: 'Expired access tokens clean-up' },
  { type: 'scheduled_posts', label: 'Scheduled posts' },
];

export interface ConsoleJobs {
  byId: Record<string, Job>;
  /** Ids per type, newest first; only types whose list has been loaded. */
  byType: Record<string, string[]>;
}

export const initialConsoleJobs: ConsoleJobs = { byId: {}, byType: {} };

/** A type's list as the server answered it (replaces the list). */
export function receivedJobs(state: ConsoleJobs, type: string, jobs: Job[]): ConsoleJobs {
  const byId = { ...state.byId };
  for (const job of jobs) byId[job.id] = newer(byId[job.id], job);
  return {
    byId,
    byType: {
      ...state.byType,
      [type]: sortNewestFirst(
        jobs.map((j) => j.id),
        byId,
      ),
    },
  };
}

/**
 * One job from an event or a call's answer: stored unless an older copy (the events of two nodes
 * may arrive out of order: the one with the later last_activity_at wins), and listed under its
 * type when that list is loaded.
 */
export function receivedJob(state: ConsoleJobs, job: Job): ConsoleJobs {
  const kept = newer(state.byId[job.id], job);
  if (kept === state.byId[job.id]) return state;
  const byId = { ...state.byId, [job.id]: kept };
  const list = state.byType[job.type];
  if (!list) return { ...state, byId };
  const ids = list.includes(job.id) ? list : sortNewestFirst([job.id, ...list], byId);
  return { byId, byType: { ...state.byType, [job.type]: ids } };
}

/** Whether a job can still be cancelled (Mattermost: pending or in progress). */
export const isCancelable = (job: Job): boolean => job.status === 'pending' || job.status === 'in_progress';

/** Whether a job is still going, so that its list is polled for progress. */
export const isRunning = (job: Job): boolean => job.status === 'pending' || job.status === 'in_progress' || job.status === 'cancel_requested';

/** The jobs of a type, newest first (undefined: not loaded). */
export function jobsOfType(state: ConsoleJobs, type: string): Job[] | undefined {
  return state.byType[type]?.map((id) => state.byId[id]).filter((j): j is Job => !!j);
}

/** A job's progress as a whole percentage between 0 and 100 (the server sends -1 for a failed job). */
export const jobProgress = (job: Job): number => Math.min(100, Math.max(0, Math.round(job.progress || 0)));

function newer(current: Job | undefined, next: Job): Job {
  if (!current) return next;
  // Same activity time: the later status wins only if it moves on (a final status over a running one).
  if (next.last_activity_at !== current.last_activity_at) return next.last_activity_at > current.last_activity_at ? next : current;
  return isRunning(current) || !isRunning(next) ? next : current;
}

function sortNewestFirst(ids: string[], byId: Record<string, Job>): string[] {
  return [...new Set(ids)].sort((a, b) => (byId[b]?.create_at ?? 0) - (byId[a]?.create_at ?? 0));
}
