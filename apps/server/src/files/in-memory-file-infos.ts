import type { Queryable } from '#db';
import type { FileInfoRow } from './file-info.model.js';
import { newFileInfo } from './file-intake.service.js';
import type { FileInfosRepository } from './file-infos.repository.js';

/**
 * file_infos in memory, for service specs: the rules of FileInfosRepository's statements over a
 * map. `threadOf` names a post and its replies, which the SQL reads from posts.
 */
export class MemoryFileInfos implements Pick<
  FileInfosRepository,
  'insertAll' | 'attachToPost' | 'deleteFromPost' | 'deleteForThread' | 'forPosts' | 'forPost' | 'byId'
> {
  readonly rows = new Map<string, FileInfoRow>();

  constructor(private readonly threadOf: (postId: string) => string[] = (id) => [id]) {}

  /** A stored, unattached file uploaded by `userId` to `channelId`. */
  upload(userId: string, channelId: string, name = 'a.txt'): FileInfoRow {
    const row = newFileInfo(userId, channelId, name);
    this.rows.set(row.id, row);
    return row;
  }

  async insertAll(rows: FileInfoRow[]) {
    for (const row of rows) this.rows.set(row.id, { ...row });
  }

  async byId(id: string) {
    return this.rows.get(id);
  }

  async attachToPost(_tx: Queryable, fileIds: string[], post: { id: string; channel_id: string; user_id: string }, now: number) {
    return fileIds.filter((id) => {
      const row = this.rows.get(id);
      if (!row || row.post_id !== '' || row.creator_id !== post.user_id || row.delete_at !== 0) return false;
      Object.assign(row, { post_id: post.id, channel_id: post.channel_id, update_at: now });
      return true;
    });
  }

  async deleteFromPost(_tx: Queryable, postId: string, fileIds: string[], now: number) {
    for (const row of this.rows.values()) if (row.post_id === postId && fileIds.includes(row.id) && row.delete_at === 0) row.delete_at = now;
  }

  async deleteForThread(_tx: Queryable, postId: string, now: number) {
    const posts = this.threadOf(postId);
    for (const row of this.rows.values()) if (posts.includes(row.post_id) && row.delete_at === 0) row.delete_at = now;
  }

  async forPost(postId: string, includeDeleted = false) {
    return [...this.rows.values()].filter((r) => r.post_id === postId && (includeDeleted || r.delete_at === 0));
  }

  async forPosts(postIds: string[], includeDeleted = false) {
    const byPost = new Map<string, FileInfoRow[]>();
    for (const id of postIds) {
      const rows = await this.forPost(id, includeDeleted);
      if (rows.length > 0) byPost.set(id, rows);
    }
    return byPost;
  }
}
