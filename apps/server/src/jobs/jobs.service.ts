import { Injectable, Logger } from '@nestjs/common';
import { badRequest, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { QueueDriver } from '#jobs';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { isLocalSession } from '../local-mode/local-session.js';
import { JobEvents } from './job-events.js';
import { JobHandlers } from './job-handler.js';
import {
  ALL_JOB_TYPES,
  cannotCancel,
  createPermission,
  incorrectJobType,
  invalidStatus,
  isJobStatus,
  Job,
  jobNotFound,
  JobRow,
  JobStatus,
  JobType,
  jobView,
  noReadPermission,
  readPermission,
  unknownJobType,
} from './job.model.js';
import { JobsRepository } from './jobs.repository.js';

/** api4/job.go and app/job.go: creating, reading and cancelling jobs, with Mattermost's permissions. */
@Injectable()
export class JobsService {
  private readonly log = new Logger('jobs');

  constructor(
    private readonly repo: JobsRepository,
    private readonly driver: QueueDriver,
    private readonly handlers: JobHandlers,
    private readonly events: JobEvents,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
  ) {}

  /**
   * A new pending job, queued for the workers. When the queue is unreachable (Redis down) the job
   * is still created: it waits in the job table, and the watcher queues it when Redis is back.
   */
  async create(session: Session, type: string, data: Record<string, string>): Promise<Job> {
    const permission = createPermission(type);
    if (permission === null) throw incorrectJobType();
    this.permissions.requireSystem(session, permission);
    // import_process's local_mode reads import_file from the server's own disk (mmctl --local
    // import process --bypass-upload). Mattermost takes it from any admin; here only from the
    // local socket, whose caller is the server's OS user already: a remote caller never makes the
    // server read its disk.
    if (type === JobType.ImportProcess && data.local_mode === 'true' && !isLocalSession(session)) {
      throw badRequest(
        'api.job.create.local_mode.app_error',
        "local_mode (importing a file from the server's disk) is only allowed over the local socket (mmctl --local import process --bypass-upload).",
      );
    }
    return jobView(await this.createJob(type, data));
  }

  /** Creates and queues a job (no permission check: the CLI and internal callers). */
  async createJob(type: string, data: Record<string, string>): Promise<JobRow> {
    if (!this.handlers.has(type)) throw unknownJobType();
    const row = await this.repo.insert(type, data);
    // An in-process queue without workers here would only hold it: the nodes that run jobs find it in the table.
    if (this.driver.kind === 'in-process' && !this.config.get().JobSettings.RunJobs) return row;
    try {
      await this.driver.enqueue(type, row.id);
    } catch (err) {
      this.log.warn(`job ${row.id} (${type}) is kept pending until the queue is back: ${err instanceof Error ? err.message : err}`);
    }
    return row;
  }

  async get(session: Session, id: string): Promise<Job> {
    const row = await this.repo.get(id);
    if (!row) throw jobNotFound();
    this.requireRead(session, row.type);
    return jobView(row);
  }

  async list(session: Session, type: string | undefined, status: string | undefined, page: number, perPage: number): Promise<Job[]> {
    let types: string[];
    if (type) {
      this.requireRead(session, type);
      types = [type];
    } else {
      types = ALL_JOB_TYPES.filter((t) => {
        const permission = readPermission(t);
        return permission !== null && this.permissions.hasSystem(session, permission);
      });
      if (types.length === 0) throw permissionDenied();
    }
    if (status && !isJobStatus(status)) throw invalidStatus();
    return (await this.repo.listByTypes(types, page, perPage, status || undefined)).map(jobView);
  }

  /**
   * RequestCancellation: a pending job is cancelled at once; a running one is asked to stop (its
   * node sees it at the next heartbeat, or at once through the queue's cancel signal).
   */
  async cancel(session: Session, id: string): Promise<void> {
    const row = await this.repo.get(id);
    if (!row) throw jobNotFound();
    const permission = createPermission(row.type);
    if (permission === null) throw incorrectJobType();
    this.permissions.requireSystem(session, permission);
    const canceled = await this.repo.casStatus(id, JobStatus.Pending, JobStatus.Canceled);
    if (canceled) {
      this.events.statusChanged(canceled);
      return;
    }
    const requested = await this.repo.casStatus(id, JobStatus.InProgress, JobStatus.CancelRequested);
    if (!requested) throw cannotCancel(id);
    this.events.statusChanged(requested);
    await this.driver.cancel(id).catch(() => undefined);
  }

  private requireRead(session: Session, type: string): void {
    const permission = readPermission(type);
    if (permission === null) throw noReadPermission();
    this.permissions.requireSystem(session, permission);
  }
}
