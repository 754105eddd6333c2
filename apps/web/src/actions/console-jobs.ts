/**
 * The jobs page: a type's jobs (GET /jobs/type/{type}), running one now (POST /jobs), cancelling
 * (POST /jobs/{id}/cancel). Status changes arrive live as `job_updated` (actions/socket.ts);
 * progress does not (the server announces status changes only), so the page polls the list while
 * one of its jobs runs.
 */
import type { Job } from '@mattermost/types/jobs';
import { client } from '../api/client';
import { receivedJob, receivedJobs } from '../state/console-jobs';
import { updateConsole } from './console-update';

/** How often a list with a running job is fetched again for its progress. */
export const JOBS_POLL_MS = 2_000;

export async function loadJobs(type: string): Promise<void> {
  const jobs = await client.getJobsByType(type, 0, 50);
  updateConsole('jobs', (s) => receivedJobs(s, type, jobs));
}

export async function createJob(type: string): Promise<void> {
  const job = await client.createJob({ type } as Parameters<typeof client.createJob>[0]);
  updateConsole('jobs', (s) => receivedJob(s, job));
}

/** Asks the server to cancel; the job's new status comes back as it is now. */
export async function cancelJob(job: Job): Promise<void> {
  await client.cancelJob(job.id);
  const now = await client.getJob(job.id);
  updateConsole('jobs', (s) => receivedJob(s, now));
}

/** A `job_updated` event's job (system admins receive them). */
export function jobUpdated(job: Job): void {
  updateConsole('jobs', (s) => receivedJob(s, job));
}
