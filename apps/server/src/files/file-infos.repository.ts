import { Injectable } from '@nestjs/common';
import { Database, Queryable } from '#db';
import type { SearchScope } from '../posts/search/search-query.js';
import type { ParsedSearch } from '../posts/search/search-terms.js';
import { FileInfoRow } from './file-info.model.js';
import { buildFileSearchQuery } from './file-search-query.js';

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
const INSERT_COLUMNS = COLUMNS.join(', ');
/**
 * What reads select: every column but the extracted text, which only file search reads (inside
 * PostgreSQL, through search_vector) and which may be 1 MB a file: a page of posts with their
 * files must not carry it.
 */
const selectList = (alias = '') => COLUMNS.map((c) => (c === 'content' ? `''::text AS content` : `${alias}${c}`)).join(', ');
const SELECT = selectList();
/** PostgreSQL's program_limit_exceeded: among others, a tsvector over 1 MB. */
const PROGRAM_LIMIT_EXCEEDED = '54000';

/** Where a file's bytes are in the store: what deleting it for good must remove. */
export type StoredFile = Pick<FileInfoRow, 'id' | 'path' | 'thumbnail_path' | 'preview_path'>;
const STORED = 'id, path, thumbnail_path, preview_path';

/** The file_infos table. */
@Injectable()
export class FileInfosRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: Queryable, row: FileInfoRow): Promise<void> {
    await tx.query(
      `INSERT INTO file_infos (${INSERT_COLUMNS}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
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

  /** Where these files' bytes are, deleted or not (the bulk export streams the files its lines named). */
  async storedByIds(ids: string[]): Promise<StoredFile[]> {
    if (ids.length === 0) return [];
    return this.db.query<StoredFile>(`SELECT ${STORED} FROM file_infos WHERE id = ANY($1)`, [ids]);
  }

  // ---- data retention: rows deleted for good, after their bytes ------------------------------

  /** The oldest files created before a time, deleted or not (Mattermost's PermanentDeleteBatch takes every row by CreateAt). */
  async createdBefore(time: number, limit: number): Promise<StoredFile[]> {
    return this.db.query<StoredFile>(`SELECT ${STORED} FROM file_infos WHERE create_at < $1 ORDER BY create_at, id LIMIT $2`, [time, limit]);
  }

  async countCreatedBefore(time: number): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM file_infos WHERE create_at < $1', [time]))[0].n;
  }

  /**
   * Files whose post no longer exists (deleted for good by message retention, or with its channel
   * or team), after `after` in id order: a keyset walk, so one pass reads the table once.
   */
  async ofMissingPosts(after: string, limit: number): Promise<StoredFile[]> {
    return this.db.query<StoredFile>(
      `SELECT ${STORED} FROM file_infos f
        WHERE f.id > $1 AND f.post_id <> '' AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = f.post_id)
        ORDER BY f.id LIMIT $2`,
      [after, limit],
    );
  }

  /** Files whose post is gone or created before a time: what message retention will delete with the posts. */
  async countOfPostsBefore(time: number): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM file_infos f
        WHERE f.post_id <> '' AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = f.post_id AND p.create_at >= $1)`,
      [time],
    );
    return rows[0].n;
  }

  async deletePermanently(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.db.query<{ id: string }>('DELETE FROM file_infos WHERE id = ANY($1) RETURNING id', [ids])).length;
  }

  /** Which of these top-level store folders ("YYYYMMDD") some row's file, thumbnail or preview is in. */
  async referencedFolders(folders: string[]): Promise<Set<string>> {
    if (folders.length === 0) return new Set();
    const rows = await this.db.query<{ folder: string }>(
      `SELECT DISTINCT split_part(p, '/', 1) AS folder
         FROM file_infos, unnest(ARRAY[path, thumbnail_path, preview_path]) AS p
        WHERE split_part(p, '/', 1) = ANY($1)`,
      [folders],
    );
    return new Set(rows.map((r) => r.folder));
  }

  /** File search (Mattermost's FileInfoStore.Search): the page of matching files, newest first. */
  async search(parsed: ParsedSearch, scope: SearchScope): Promise<FileInfoRow[]> {
    const query = buildFileSearchQuery(parsed, scope, selectList('f.'));
    return query ? this.db.search().query<FileInfoRow>(query.sql, query.params) : [];
  }

  /**
   * Stores a file's extracted text (Mattermost's SetContent), which search_vector then indexes. A
   * tsvector holds at most 1 MB, which 1 MB of text with many distinct words can exceed; the text
   * is then halved until its vector fits, so that at least its beginning is searchable.
   */
  async setContent(id: string, content: string): Promise<void> {
    let text = content;
    for (;;) {
      try {
        await this.db.query('UPDATE file_infos SET content = $2 WHERE id = $1', [id, text]);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== PROGRAM_LIMIT_EXCEEDED || text.length < 1024) throw err;
        text = text.slice(0, Math.floor(text.length / 2));
      }
    }
  }
}
