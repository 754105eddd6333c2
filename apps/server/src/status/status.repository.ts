import { Injectable, Optional } from '@nestjs/common';
import { Caches, ReadThroughCache } from '#common';
import { Database, lastInTransaction, Queryable } from '#db';
import { ALL_KEYS, InvalidationBus } from '#realtime';
import { cachedRows, tellCommitted } from '../common/cached-rows.js';
import { STATUS_DND, STATUS_OFFLINE, StatusRow } from './status.model.js';

const COLUMNS = 'user_id, status, manual, last_activity_at, dnd_end_time, prev_status';

/** Mattermost's status cache: its size (StatusCacheSize); statuses change often, so a short expiry. */
const CACHED_STATUSES = 50_000;
const CACHED_STATUS_TTL_MS = 5 * 60_000;

/**
 * The status table. On a server node the rows read by user id are cached (Mattermost's status
 * cache: POST /users/status/ids, the get_statuses_by_ids action, GET /users/{id}/status); every
 * write here tells the invalidation bus (kind 'status', after its commit) so every node's cache
 * drops the row, a write to every row drops them all. A user without a row is cached as such
 * until the first save() of their status (an insert, which tells the bus like any write).
 */
@Injectable()
export class StatusRepository {
  private readonly cache?: ReadThroughCache<StatusRow>;

  constructor(
    private readonly db: Database,
    @Optional() private readonly invalidation?: InvalidationBus,
    @Optional() caches?: Caches,
  ) {
    this.cache = cachedRows(invalidation, caches, {
      name: 'Status',
      maxEntries: CACHED_STATUSES,
      ttlMs: CACHED_STATUS_TTL_MS,
      dropOn: ['status'],
      // Most users have no row (never connected: offline), and every list of authors asks for them.
      cacheAbsent: true,
      load: async (ids) => new Map((await this.db.query<StatusRow>(`SELECT ${COLUMNS} FROM status WHERE user_id = ANY($1)`, [ids])).map((r) => [r.user_id, r])),
    });
  }

  /** Every node forgets the cached row (ALL_KEYS: every row) once what `tx` wrote is committed. */
  private changed(userId: string, tx: Queryable = this.db): void {
    tellCommitted(this.invalidation, 'status', userId, tx);
  }

  /** The rows these users have (users without one are offline). */
  async byIds(userIds: string[]): Promise<StatusRow[]> {
    if (this.cache) return [...(await this.cache.getMany(userIds)).values()];
    return this.db.query<StatusRow>(`SELECT ${COLUMNS} FROM status WHERE user_id = ANY($1)`, [userIds]);
  }

  /** The row, locked until the transaction ends, so read-modify-write is safe across nodes. */
  async lockForUpdate(tx: Queryable, userId: string): Promise<StatusRow | null> {
    const rows = await tx.query<StatusRow>(`SELECT ${COLUMNS} FROM status WHERE user_id = $1 FOR UPDATE`, [userId]);
    return rows[0] ?? null;
  }

  /**
   * In a transaction, the upsert goes with the COMMIT (lastInTransaction): the row lock taken by
   * lockForUpdate is not held over one more trip back to this process. Nothing may follow it.
   */
  async save(tx: Queryable, s: StatusRow): Promise<void> {
    await lastInTransaction(
      tx,
      `INSERT INTO status (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id) DO UPDATE SET status = EXCLUDED.status, manual = EXCLUDED.manual,
         last_activity_at = EXCLUDED.last_activity_at, dnd_end_time = EXCLUDED.dnd_end_time, prev_status = EXCLUDED.prev_status`,
      [s.user_id, s.status, s.manual, s.last_activity_at, s.dnd_end_time, s.prev_status],
    );
    this.changed(s.user_id, tx);
  }

  /** As save, with the COMMIT in a transaction. */
  async setLastActivityAt(userId: string, at: number, tx: Queryable = this.db): Promise<void> {
    await lastInTransaction(tx, 'UPDATE status SET last_activity_at = $2 WHERE user_id = $1 AND last_activity_at < $2', [userId, at]);
    this.changed(userId, tx);
  }

  /** user id → status of everyone not offline (users without a row are offline). */
  async notOffline(): Promise<Array<Pick<StatusRow, 'user_id' | 'status'>>> {
    return this.db.query(`SELECT user_id, status FROM status WHERE status <> $1`, [STATUS_OFFLINE]);
  }

  /**
   * Ends every timed DND whose end (epoch seconds) has come: back to the previous status, no longer
   * manual. One atomic statement, so when several nodes sweep at once each expiry is returned once.
   */
  async expireDnd(nowSeconds: number): Promise<StatusRow[]> {
    const rows = await this.db.query<StatusRow>(
      `UPDATE status SET status = COALESCE(NULLIF(prev_status, ''), $2), prev_status = $1, dnd_end_time = 0, manual = false
        WHERE status = $1 AND dnd_end_time > 0 AND dnd_end_time <= $3
        RETURNING ${COLUMNS}`,
      [STATUS_DND, STATUS_OFFLINE, nowSeconds],
    );
    for (const r of rows) this.changed(r.user_id);
    return rows;
  }

  /** When the next timed DND ends (epoch seconds), if any. */
  async nextDndEnd(): Promise<number | null> {
    const rows = await this.db.query<{ next: number | null }>('SELECT MIN(dnd_end_time) AS next FROM status WHERE status = $1 AND dnd_end_time > 0', [
      STATUS_DND,
    ]);
    return rows[0]?.next ?? null;
  }

  /** After a restart of a single node nobody is connected: automatic statuses become offline. */
  async resetAutomatic(): Promise<void> {
    await this.db.query('UPDATE status SET status = $1 WHERE manual = false AND status <> $1', [STATUS_OFFLINE]);
    this.changed(ALL_KEYS);
  }
}
