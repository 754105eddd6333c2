import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import type { MmctlClient as Client4Type } from '../context.js';
import type { Job } from '@mattermost/types/jobs';
import { Failures, formatTime, intOption, withClient } from '../command.js';
import { CliError } from '../errors.js';
import { printer } from '../printer.js';

/** mmctl's printJob. */
export function printJob(job: Job): void {
  const text =
    job.start_at > 0
      ? `  ID: ${job.id}\n  Type: ${job.type}\n  Status: ${job.status}\n  Created: ${formatTime(job.create_at)}\n  Started: ${formatTime(job.start_at)}\n  Data: ${formatData(job.data)}\n`
      : `  ID: ${job.id}\n  Type: ${job.type}\n  Status: ${job.status}\n  Created: ${formatTime(job.create_at)}\n`;
  printer.print(text, job);
}

/** Go prints a map[string]string as map[k:v ...], keys sorted. */
function formatData(data: unknown): string {
  if (!data || typeof data !== 'object') return 'map[]';
  const entries = Object.entries(data as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  return `map[${entries.map(([k, v]) => `${k}:${String(v)}`).join(' ')}]`;
}

/** GET /jobs (with job_type/status filters) or GET /jobs/type/{type}, one page or --all. */
export async function listJobs(c: Client4Type, o: Record<string, unknown>, type: string | undefined, status: string | undefined): Promise<void> {
  const perPage = o.perPage as number;
  for (let page = o.all ? 0 : (o.page as number); ; page++) {
    const query = new URLSearchParams({ page: String(page), per_page: String(perPage) });
    if (type) query.set('job_type', type);
    if (status) query.set('status', status);
    const jobs = await c.call<Job[]>('get', `/jobs?${query.toString()}`);
    if (jobs.length === 0) {
      if (!o.all || page === 0) printer.print('No jobs found', undefined);
      return;
    }
    jobs.forEach(printJob);
    if (!o.all) return;
  }
}

const FINISHED = new Set(['success', 'error', 'canceled', 'warning']);

/** Follows a job until it ends (our --wait): progress lines on stderr, non-zero exit unless it succeeded. */
async function follow(c: Client4Type, id: string, timeoutSeconds: number): Promise<Job> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    const job = await c.getJob(id);
    const line = `${job.status} ${job.progress ?? 0}%`;
    if (line !== last && !printer.quiet) process.stderr.write(`  ${id}: ${line}\n`);
    last = line;
    if (FINISHED.has(job.status)) return job;
    if (Date.now() > deadline) throw new CliError(`job ${id} did not finish within ${timeoutSeconds}s (it goes on; see "job list --ids ${id}")`);
    await sleep(500);
  }
}

export function jobListOptions(cmd: Command, perPage: number): Command {
  return cmd
    .option('--page <page>', 'Page number to fetch for the list of jobs', intOption, 0)
    .option('--per-page <n>', 'Number of jobs to be fetched', intOption, perPage)
    .option('--all', 'Fetch all jobs. --page flag will be ignored if provided');
}

export function jobCommand(): Command {
  const job = new Command('job').description('Management of jobs');

  jobListOptions(job.command('list').description('List jobs'), 5)
    .option('--ids <ids>', 'Comma-separated list of job IDs to which the operation will be applied. All other flags are ignored')
    .option('--status <status>', 'Filter by job status')
    .option('--type <type>', 'Filter by job type')
    .action(
      withClient(async ({ client }, o) => {
        if (o.ids) {
          const failures = new Failures();
          for (const id of String(o.ids)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)) {
            await failures.attempt(`unable to get job ${id}`, async () => printJob(await client.getJob(id)));
          }
          return failures.throwIfAny();
        }
        await listJobs(client, o, o.type as string | undefined, o.status as string | undefined);
      }),
    );

  job
    .command('run')
    .description('Create a job of a type for the servers to run (POST /jobs), e.g. job run data_retention; key=value pairs become its data')
    .argument('<type>')
    .argument('[data...]', 'key=value pairs')
    .option('--wait', 'Follow the job until it ends; the exit code is non-zero unless it succeeded')
    .option('--timeout <seconds>', 'With --wait: give up after this many seconds', intOption, 600)
    .action(
      withClient(async ({ client }, o, type: string, pairs: string[]) => {
        printer.single = true;
        const data: Record<string, string> = {};
        for (const p of pairs) {
          const eq = p.indexOf('=');
          if (eq <= 0) throw new CliError(`invalid job data "${p}": use key=value`);
          data[p.slice(0, eq)] = p.slice(eq + 1);
        }
        const created = await client.call<Job>('post', '/jobs', { body: { type, data } });
        if (!o.wait) {
          printer.print(`Job successfully created, ID: ${created.id}`, created);
          return;
        }
        const done = await follow(client, created.id, o.timeout as number);
        printJob(done);
        if (done.status !== 'success') throw new CliError(`job ${done.id} ended with status ${done.status}`);
      }),
    );

  job
    .command('cancel')
    .description('Ask the servers to cancel jobs')
    .argument('<ids...>')
    .action(
      withClient(async ({ client }, _o, ids: string[]) => {
        const failures = new Failures();
        for (const id of ids) {
          await failures.attempt(`unable to cancel job ${id}`, async () => {
            await client.cancelJob(id);
            printer.print(`Job ${id} cancel requested`, { id, status: 'cancel_requested' });
          });
        }
        failures.throwIfAny();
      }),
    );

  return job;
}
