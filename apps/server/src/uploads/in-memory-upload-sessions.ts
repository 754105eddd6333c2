import type { Queryable } from '#db';
import { UploadSessionRow } from './upload-session.model.js';
import type { UploadSessionsRepository } from './upload-sessions.repository.js';

/** The upload_sessions table in memory, with the answers of UploadSessionsRepository's SQL. */
export class MemoryUploadSessions {
  readonly rows = new Map<string, UploadSessionRow>();

  async insert(row: UploadSessionRow) {
    this.rows.set(row.id, structuredClone(row));
  }

  async byId(id: string) {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }

  async forUser(userId: string) {
    return [...this.rows.values()].filter((r) => r.user_id === userId).sort((a, b) => a.create_at - b.create_at || a.id.localeCompare(b.id));
  }

  async addPart(id: string, from: number, to: number, part: string) {
    const row = this.rows.get(id);
    if (!row || row.file_offset !== from) return false;
    row.file_offset = to;
    row.parts.push(part);
    return true;
  }

  async delete(_tx: Queryable, id: string) {
    return this.rows.delete(id);
  }

  asRepository(): UploadSessionsRepository {
    return this as unknown as UploadSessionsRepository;
  }
}
