import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { UploadSessionRow } from './upload-session.model.js';

const COLUMNS = [
  'id',
  'type',
  'create_at',
  'user_id',
  'channel_id',
  'filename',
  'path',
  'file_size',
  'file_offset',
  'remote_id',
  'req_file_id',
  'parts',
] as const;
const SELECT = COLUMNS.join(', ');

/** The upload_sessions table. */
@Injectable()
export class UploadSessionsRepository {
  constructor(private readonly db: Database) {}

  async insert(row: UploadSessionRow): Promise<void> {
    await this.db.query(
      `INSERT INTO upload_sessions (${SELECT}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      COLUMNS.map((c) => row[c]),
    );
  }

  async byId(id: string): Promise<UploadSessionRow | undefined> {
    return (await this.db.query<UploadSessionRow>(`SELECT ${SELECT} FROM upload_sessions WHERE id = $1`, [id]))[0];
  }

  /** Which of these top-level store folders ("YYYYMMDD") an unfinished upload is writing into. */
  async referencedFolders(folders: string[]): Promise<Set<string>> {
    if (folders.length === 0) return new Set();
    const rows = await this.db.query<{ folder: string }>(
      `SELECT DISTINCT split_part(path, '/', 1) AS folder FROM upload_sessions WHERE split_part(path, '/', 1) = ANY($1)`,
      [folders],
    );
    return new Set(rows.map((r) => r.folder));
  }

  /** A user's sessions, oldest first (Mattermost's GetForUser). */
  async forUser(userId: string): Promise<UploadSessionRow[]> {
    return this.db.query<UploadSessionRow>(`SELECT ${SELECT} FROM upload_sessions WHERE user_id = $1 ORDER BY create_at, id`, [userId]);
  }

  /**
   * Counts a stored part: the offset moves from `from` to `to` and the part joins the list, only
   * if the offset is still `from` (another writer of this session did not get there first).
   */
  async addPart(id: string, from: number, to: number, part: string): Promise<boolean> {
    const rows = await this.db.query(
      'UPDATE upload_sessions SET file_offset = $3, parts = array_append(parts, $4) WHERE id = $1 AND file_offset = $2 RETURNING id',
      [id, from, to, part],
    );
    return rows.length === 1;
  }

  async delete(tx: Queryable, id: string): Promise<boolean> {
    return (await tx.query('DELETE FROM upload_sessions WHERE id = $1 RETURNING id', [id])).length === 1;
  }
}
