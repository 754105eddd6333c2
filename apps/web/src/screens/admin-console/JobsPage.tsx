import { useEffect, useMemo, useState } from 'react';
import { cancelJob, createJob, JOBS_POLL_MS, loadJobs } from '../../actions/console-jobs';
import { CONSOLE_JOB_TYPES, isCancelable, isRunning, jobProgress, jobsOfType } from '../../state/console-jobs';
import { useAppState } from '../../state/store';
import { ActionMessages } from './ActionMessages';
import { useAction } from './use-action';
import { useInterval } from './use-interval';
import { ConsoleTable } from './ConsoleTable';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
const when = (ms: number) => (ms ? dateTime.format(ms) : '—');

/**
 * Jobs of one type: run one now, cancel one that has not finished, and watch it go. Status
 * changes come over the socket (job_updated); while a job runs the list is also fetched every
 * few seconds, as the server does not announce progress.
 */
export function JobsPage() {
  const [type, setType] = useState(CONSOLE_JOB_TYPES[0]!.type);
  const jobs = useAppState((s) => s.adminConsole.jobs);
  const list = useMemo(() => jobsOfType(jobs, type), [jobs, type]);
  const action = useAction();
  const running = !!list?.some(isRunning);
  const { run } = action;

  useEffect(() => {
    void run('load', () => loadJobs(type));
  }, [type, run]);
  useInterval(() => void loadJobs(type).catch(() => undefined), running ? JOBS_POLL_MS : null);

  const label = CONSOLE_JOB_TYPES.find((t) => t.type === type)?.label ?? type;
  return (
    <>
      <p className="console-intro">Background jobs run on whichever node takes them first; every node shows the same list.</p>
      <div className="console-toolbar">
        <label htmlFor="job-type">Job type</label>
        <select id="job-type" value={type} onChange={(e) => setType(e.target.value)}>
          {CONSOLE_JOB_TYPES.map((t) => (
            <option key={t.type} value={t.type}>
              {t.label}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="console-button"
          disabled={!!action.busy}
          onClick={() => void action.run('create', () => createJob(type), `${label} job created.`)}
        >
          Run now
        </button>
      </div>
      <ActionMessages action={action} />
      <ConsoleTable
        label="Jobs"
        columns={['Created', 'Status', 'Progress', 'Started', 'Last activity']}
        items={list}
        empty={`No ${label.toLowerCase()} job has run yet.`}
        row={(job) => (
          <tr key={job.id} data-job-id={job.id}>
            <th scope="row">{when(job.create_at)}</th>
            <td className={`job-status job-${job.status}`}>{job.status.replace(/_/g, ' ')}</td>
            <td>
              <progress max={100} value={jobProgress(job)} aria-label={`Progress of the job created ${when(job.create_at)}`} /> {jobProgress(job)} %
            </td>
            <td>{when(job.start_at)}</td>
            <td>{when(job.last_activity_at)}</td>
            <td>
              {isCancelable(job) && (
                <button
                  type="button"
                  className="console-button"
                  disabled={!!action.busy}
                  onClick={() => void action.run(`cancel-${job.id}`, () => cancelJob(job), 'Cancel requested.')}
                >
                  Cancel
                </button>
              )}
            </td>
          </tr>
        )}
      />
    </>
  );
}
