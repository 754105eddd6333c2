import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import { FileInfoRow } from './file-info.model.js';

const COLUMNS = [
  'id',
  'creator_id',
  'post_id',
  'channel_id',
  'create_at',
  'update_at',
  'delete_at',
  'path',
  'thumbnail_path',
  'preview_path',
  'name',
  'extension',
  'size',
  'mime_type',
  'width',
  'height',
  'has_preview_image',
  'mini_preview',
  'content',
  'remote_id',
  'archived',
] as const;
const SELECT = COLUMNS.join(', ');

/** The file_infos table. */
@Injectable()
export class FileInfosRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: Queryable, row: FileInfoRow): Promise<void> {
    await tx.query(
      `INSERT INTO file_infos (${SELECT}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
      COLUMNS.map((c) => row[c]),
    );
  }

  async insertAll(rows: FileInfoRow[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const row of rows) await this.insert(tx, row);
    });
  }

  async byId(id: string): Promise<FileInfoRow | undefined> {
    return (await this.db.query<FileInfoRow>(`SELECT ${SELECT} FROM file_infos WHERE id = $1`, [id]))[0];
  }

  async forPost(postId: string, includeDeleted = false): Promise<FileInfoRow[]> {
    return this.db.query<FileInfoRow>(
      `SELECT ${SELECT} FROM file_infos WHERE post_id = $1 ${includeDeleted ? '' : 'AND delete_at = 0'} ORDER BY create_at, id`,
      [postId],
    );
  }
}
