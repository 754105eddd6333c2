import { Injectable } from '@nestjs/common';
import { newId } from '#common';
import { Database } from '#db';
import { JobRow, JobStatus } from './job.model.js';

const COLUMNS = 'id, type, priority, create_at, start_at, last_activity_at, status, progress, data, attempts, claim_id, node_id, schedule_key';
const RUNNING = [JobStatus.InProgress, JobStatus.CancelRequested];

/**
 * The jobs table. Every status change is a compare-and-set on the row, and a running job's
 * writes are guarded by its claim_id: only the holder of the current claim can move it on.
 */
@Injectable()
export class JobsRepository {
  constructor(private readonly db: Database) {}

  async insert(type: string, data: Record<string, string>, now = Date.now()): Promise<JobRow> {
    const rows = await this.db.query<JobRow>(
      `INSERT INTO jobs (id, type, create_at, status, data) VALUES ($1, $2, $3, 'pending', $4::jsonb) RETURNING ${COLUMNS}`,
      [newId(), type, now, JSON.stringify(data)],
    );
    return rows[0];
  }

  /** The job of one schedule slot: created by whichever node gets there first, found by the others. */
  async insertScheduled(type: string, scheduleKey: string, now = Date.now()): Promise<JobRow | undefined> {
    const created = await this.db.query<JobRow>(
      `INSERT INTO jobs (id, type, create_at, status, data, schedule_key) VALUES ($1, $2, $3, 'pending', '{}', $4)
       ON CONFLICT (schedule_key) DO NOTHING RETURNING ${COLUMNS}`,
      [newId(), type, now, scheduleKey],
    );
    if (created[0]) return created[0];
    return (await this.db.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE schedule_key = $1`, [scheduleKey]))[0];
  }

  /** A job created already claimed, by a process that runs it itself (the CLI). */
  async insertClaimed(type: string, data: Record<string, string>, claimId: string, nodeId: string, now = Date.now()): Promise<JobRow> {
    const rows = await this.db.query<JobRow>(
      `INSERT INTO jobs (id, type, create_at, start_at, last_activity_at, status, data, attempts, claim_id, node_id)
       VALUES ($1, $2, $3, $3, $3, 'in_progress', $4::jsonb, 1, $5, $6) RETURNING ${COLUMNS}`,
      [newId(), type, now, JSON.stringify(data), claimId, nodeId],
    );
    return rows[0];
  }

  async get(id: string): Promise<JobRow | undefined> {
    return (await this.db.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = $1`, [id]))[0];
  }

  /** The newest jobs, of one type or of all (the CLI's `list`). */
  newest(type: string | undefined, limit: number): Promise<JobRow[]> {
    if (type) return this.db.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE type = $1 ORDER BY create_at DESC LIMIT $2`, [type, limit]);
    return this.db.query<JobRow>(`SELECT ${COLUMNS} FROM jobs ORDER BY create_at DESC LIMIT $1`, [limit]);
  }

  listByTypes(types: readonly string[], page: number, perPage: number, status?: string): Promise<JobRow[]> {
    if (status) {
      return this.db.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE type = ANY($1) AND status = $2 ORDER BY create_at DESC, id LIMIT $3 OFFSET $4`, [
        types,
        status,
        perPage,
        page * perPage,
      ]);
    }
    return this.db.query<JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE type = ANY($1) ORDER BY create_at DESC, id LIMIT $2 OFFSET $3`, [
      types,
      perPage,
      page * perPage,
    ]);
  }

  /**
   * Takes a job for one run: a pending job, or a running one whose holder has not been heard of for
   * `leaseMs` (its node died). Exactly one caller wins; the others get undefined.
   */
  async claim(id: string, claimId: string, nodeId: string, leaseMs: number, maxAttempts: number, now = Date.now()): Promise<JobRow | undefined> {
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET status = 'in_progress', start_at = $4, last_activity_at = $4, attempts = attempts + 1, claim_id = $2, node_id = $3
        WHERE id = $1 AND attempts < $6
          AND (status = 'pending' OR (status = 'in_progress' AND last_activity_at < $4::bigint - $5::bigint))
        RETURNING ${COLUMNS}`,
      [id, claimId, nodeId, now, leaseMs, maxAttempts],
    );
    return rows[0];
  }

  /**
   * The holder's heartbeat, with progress and data when they changed. Returns the row's status, or
   * null when the claim is no longer held (another node took the job over, or it was finished).
   */
  async heartbeat(id: string, claimId: string, update: { progress?: number; data?: Record<string, string> } = {}, now = Date.now()): Promise<string | null> {
    const rows = await this.db.query<{ status: string }>(
      `UPDATE jobs SET last_activity_at = $3, progress = COALESCE($4, progress), data = COALESCE($5::jsonb, data)
        WHERE id = $1 AND claim_id = $2 AND status = ANY($6) RETURNING status`,
      [id, claimId, now, update.progress ?? null, update.data ? JSON.stringify(update.data) : null, RUNNING],
    );
    return rows[0]?.status ?? null;
  }

  /** Ends a run the caller still holds. */
  async finish(
    id: string,
    claimId: string,
    status: string,
    update: { progress?: number; data?: Record<string, string> },
    now = Date.now(),
  ): Promise<JobRow | undefined> {
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET status = $3, last_activity_at = $4, progress = COALESCE($5, progress), data = COALESCE($6::jsonb, data), claim_id = NULL
        WHERE id = $1 AND claim_id = $2 AND status = ANY($7) RETURNING ${COLUMNS}`,
      [id, claimId, status, now, update.progress ?? null, update.data ? JSON.stringify(update.data) : null, RUNNING],
    );
    return rows[0];
  }

  /** Gives a job back (this node is shutting down): pending again, for another node or a restart. */
  async release(id: string, claimId: string, now = Date.now()): Promise<JobRow | undefined> {
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET status = 'pending', last_activity_at = $3, claim_id = NULL, attempts = GREATEST(attempts - 1, 0)
        WHERE id = $1 AND claim_id = $2 AND status = 'in_progress' RETURNING ${COLUMNS}`,
      [id, claimId, now],
    );
    return rows[0];
  }

  /** UpdateStatusOptimistically: moves the job only if it is still in `from`. */
  async casStatus(id: string, from: string, to: string, now = Date.now()): Promise<JobRow | undefined> {
    const rows = await this.db.query<JobRow>(`UPDATE jobs SET status = $3, last_activity_at = $4 WHERE id = $1 AND status = $2 RETURNING ${COLUMNS}`, [
      id,
      from,
      to,
      now,
    ]);
    return rows[0];
  }

  /** Ends a running job nobody holds any more (its node died), if it is still as it was seen. */
  async abandon(id: string, lastActivityAt: number, status: string, data: Record<string, string>, now = Date.now()): Promise<JobRow | undefined> {
    const rows = await this.db.query<JobRow>(
      `UPDATE jobs SET status = $3, last_activity_at = $4, claim_id = NULL, data = data || $5::jsonb, progress = COALESCE($7, progress)
        WHERE id = $1 AND last_activity_at = $2 AND status = ANY($6) RETURNING ${COLUMNS}`,
      [id, lastActivityAt, status, now, JSON.stringify(data), RUNNING, status === JobStatus.Error ? -1 : null],
    );
    return rows[0];
  }

  /** Jobs that should be in the queue: pending ones, and running ones whose holder went silent. */
  needingDelivery(staleBefore: number, limit = 1000): Promise<JobRow[]> {
    return this.db.query<JobRow>(
      `SELECT ${COLUMNS} FROM jobs
        WHERE status = 'pending' OR (status = ANY($1) AND last_activity_at < $2)
        ORDER BY create_at LIMIT $3`,
      [RUNNING, staleBefore, limit],
    );
  }
}
