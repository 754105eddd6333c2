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

  /**
   * Attaches files to a new or edited post (Mattermost's FileInfoStore.AttachToPost): only files
   * the poster uploaded and no post has taken yet; they move to the post's channel. Returns the ids
   * attached, in the order asked; the others are left out of the post, as Mattermost does.
   */
  async attachToPost(tx: Queryable, fileIds: string[], post: { id: string; channel_id: string; user_id: string }, now: number): Promise<string[]> {
    if (fileIds.length === 0) return [];
    const rows = await tx.query<{ id: string }>(
      `UPDATE file_infos SET post_id = $2, channel_id = $3, update_at = $5
        WHERE id = ANY($1) AND post_id = '' AND creator_id = $4 AND delete_at = 0 RETURNING id`,
      [fileIds, post.id, post.channel_id, post.user_id, now],
    );
    const attached = new Set(rows.map((r) => r.id));
    return fileIds.filter((id) => attached.has(id));
  }

  /** Files taken off an edited post are deleted (Mattermost keeps them only for the edit history it has and this server has not). */
  async deleteFromPost(tx: Queryable, postId: string, fileIds: string[], now: number): Promise<void> {
    if (fileIds.length === 0) return;
    await tx.query('UPDATE file_infos SET delete_at = $3, update_at = $3 WHERE post_id = $1 AND id = ANY($2) AND delete_at = 0', [postId, fileIds, now]);
  }

  /** The files of a deleted post and, for a root, of its replies (DeleteForPost): gone for users, kept for retention. */
  async deleteForThread(tx: Queryable, postId: string, now: number): Promise<void> {
    await tx.query(
      `UPDATE file_infos SET delete_at = $2, update_at = $2
        WHERE delete_at = 0 AND post_id <> '' AND post_id IN (SELECT id FROM posts WHERE id = $1 OR root_id = $1)`,
      [postId, now],
    );
  }

  /** The files of many posts in one query, by post id (metadata.files for a page of posts). */
  async forPosts(postIds: string[], includeDeleted = false): Promise<Map<string, FileInfoRow[]>> {
    const byPost = new Map<string, FileInfoRow[]>();
    if (postIds.length === 0) return byPost;
    const rows = await this.db.query<FileInfoRow>(
      `SELECT ${SELECT} FROM file_infos WHERE post_id = ANY($1) AND post_id <> '' ${includeDeleted ? '' : 'AND delete_at = 0'} ORDER BY create_at, id`,
      [postIds],
    );
    for (const row of rows) byPost.set(row.post_id, [...(byPost.get(row.post_id) ?? []), row]);
    return byPost;
  }

  async forPost(postId: string, includeDeleted = false): Promise<FileInfoRow[]> {
    return this.db.query<FileInfoRow>(
      `SELECT ${SELECT} FROM file_infos WHERE post_id = $1 ${includeDeleted ? '' : 'AND delete_at = 0'} ORDER BY create_at, id`,
      [postId],
    );
  }
}
