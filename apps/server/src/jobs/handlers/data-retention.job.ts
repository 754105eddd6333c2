import { ConfigService, type Config } from '#config';
import { Database } from '#db';
import { ALL_KEYS, InvalidationBus } from '#realtime';
import type { Schedule } from '#jobs';
import { FileStore } from '#storage';
import { storeObjectsOf } from '../../files/file-info.model.js';
import { FileInfosRepository, StoredFile } from '../../files/file-infos.repository.js';
import { DeletedPosts, PostsRepository } from '../../posts/posts.repository.js';
import { PreferencesRepository } from '../../preferences/preferences.repository.js';
import { UploadSessionsRepository } from '../../uploads/upload-sessions.repository.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

const DAY_MS = 86_400_000;
/** Attachments live under a folder per upload day (UTC, as fileFolder names it): "YYYYMMDD/teams/…". */
const DAY_FOLDER = /^(\d{4})(\d{2})(\d{2})$/;

/** The start (UTC) of a "YYYYMMDD" day folder, or null for any other name. */
export function dayFolderTime(name: string): number | null {
  const m = DAY_FOLDER.exec(name);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const time = Date.UTC(year, month - 1, day);
  const date = new Date(time);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return time;
}

/** What a run deletes, counted as it goes into the job's data. */
interface Tally {
  posts: number;
  reactions: number;
  files: number;
  folders: number;
}

/**
 * DataRetentionSettings (Mattermost's data_retention job, enterprise there), daily at
 * DeletionJobStartTime, each step in batches of BatchSize:
 *
 * - with EnableMessageDeletion, posts older than MessageRetentionDays with their reactions,
 *   threads and flags; then the files of posts that no longer exist — these, and those of
 *   channels and teams deleted for good — row and bytes ("messages and file attachments older
 *   than the duration are deleted", Mattermost's retention policy);
 * - with EnableFileDeletion, every file created before FileRetentionDays, attached or not, deleted
 *   or not (FileInfoStore.PermanentDeleteBatch goes by CreateAt only): its bytes — the file,
 *   thumbnail and preview, with the file's own folder — and then its row; then the day folders
 *   older than the cut-off that no row points into (see sweepOrphanFolders).
 *
 * Unattached uploads are not swept separately after a day: Mattermost has no such cleanup (a file
 * nobody posted stays until file retention reaches it), so neither has this job.
 *
 * A crash may cut a run anywhere and another node runs it again: a file's row is deleted only
 * after its bytes, and removing bytes already gone does nothing, so whatever a run left half done
 * the next one finishes (a row whose post is gone is found again by the next message deletion).
 */
export class DataRetentionJob extends JobHandler {
  readonly type = JobType.DataRetention;
  private readonly posts: PostsRepository;
  private readonly preferences: PreferencesRepository;
  private readonly fileInfos: FileInfosRepository;
  private readonly uploads: UploadSessionsRepository;

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly files: FileStore,
    private readonly invalidation?: InvalidationBus,
  ) {
    super();
    this.posts = new PostsRepository(db);
    this.preferences = new PreferencesRepository(db);
    this.fileInfos = new FileInfosRepository(db);
    this.uploads = new UploadSessionsRepository(db);
  }

  schedule(config: Config): Schedule | null {
    const s = config.DataRetentionSettings;
    return s.EnableMessageDeletion || s.EnableFileDeletion ? { daily: s.DeletionJobStartTime } : null;
  }

  async run(ctx: JobContext): Promise<void> {
    const s = this.config.get().DataRetentionSettings;
    const now = Date.now();
    const postCutoff = s.EnableMessageDeletion ? now - s.MessageRetentionDays * DAY_MS : 0;
    const fileCutoff = s.EnableFileDeletion ? now - s.FileRetentionDays * DAY_MS : 0;
    const batch = Math.max(1, s.BatchSize);
    const tally: Tally = { posts: 0, reactions: 0, files: 0, folders: 0 };
    const report = () =>
      ctx.setData({
        ...(postCutoff ? { deleted_posts: String(tally.posts), deleted_reactions: String(tally.reactions) } : {}),
        deleted_files: String(tally.files),
        ...(fileCutoff ? { deleted_file_folders: String(tally.folders) } : {}),
      });
    // The cut-offs under the names of Mattermost's GET /data_retention/policy.
    ctx.setData({
      message_deletion: String(s.EnableMessageDeletion),
      file_deletion: String(s.EnableFileDeletion),
      ...(postCutoff ? { message_retention_cutoff: String(postCutoff) } : {}),
      ...(fileCutoff ? { file_retention_cutoff: String(fileCutoff) } : {}),
    });
    report();

    const folders = fileCutoff ? await this.oldDayFolders(fileCutoff) : [];
    const total =
      (postCutoff ? (await this.posts.countCreatedBefore(postCutoff)) + (await this.fileInfos.countOfPostsBefore(postCutoff)) : 0) +
      (fileCutoff ? await this.fileInfos.countCreatedBefore(fileCutoff) : 0) +
      folders.length;
    let done = 0;
    const advance = async (n: number) => {
      done += n;
      report();
      if (total > 0) await ctx.progress(Math.min(99, (done / total) * 100));
    };

    if (postCutoff) {
      await this.deletePosts(ctx, postCutoff, batch, tally, advance);
      await this.deleteFilesOfMissingPosts(ctx, batch, tally, advance);
    }
    if (fileCutoff) {
      await this.deleteOldFiles(ctx, fileCutoff, batch, tally, advance);
      await this.sweepOrphanFolders(ctx, folders, tally, advance);
    }
  }

  private async deletePosts(ctx: JobContext, cutoff: number, batch: number, tally: Tally, advance: (n: number) => Promise<void>): Promise<void> {
    for (;;) {
      checkAborted(ctx.signal);
      const deleted = await this.deletePostBatch(cutoff, batch);
      tally.posts += deleted.posts;
      tally.reactions += deleted.reactions;
      // Pinned posts may have gone: the servers' cached channel counts (the job does not know whose).
      if (deleted.posts > 0) this.invalidation?.emit('channel_counts', ALL_KEYS);
      await advance(deleted.posts);
      if (deleted.posts < batch) return;
    }
  }

  /** One batch, in one transaction: the oldest posts, what hangs off them, and the flags on them. */
  private deletePostBatch(cutoff: number, size: number): Promise<DeletedPosts> {
    return this.db.transaction(async (tx) => {
      const deleted = await this.posts.deletePermanently(tx, { createdBefore: cutoff, batchSize: size });
      await this.preferences.deleteFlags(deleted.postIds, tx);
      return deleted;
    });
  }

  /** Files attached to posts that are gone: one walk over file_infos in id order. */
  private async deleteFilesOfMissingPosts(ctx: JobContext, batch: number, tally: Tally, advance: (n: number) => Promise<void>): Promise<void> {
    let after = '';
    for (;;) {
      checkAborted(ctx.signal);
      const rows = await this.fileInfos.ofMissingPosts(after, batch);
      await this.deleteFiles(ctx, rows, tally);
      await advance(rows.length);
      if (rows.length < batch) return;
      after = rows[rows.length - 1].id;
    }
  }

  /** Oldest first; each batch's rows are gone before the next is read, so no cursor is needed. */
  private async deleteOldFiles(ctx: JobContext, cutoff: number, batch: number, tally: Tally, advance: (n: number) => Promise<void>): Promise<void> {
    for (;;) {
      checkAborted(ctx.signal);
      const rows = await this.fileInfos.createdBefore(cutoff, batch);
      await this.deleteFiles(ctx, rows, tally);
      await advance(rows.length);
      if (rows.length < batch) return;
    }
  }

  /** Bytes first, rows after: a row is never lost while its bytes are still in the store. */
  private async deleteFiles(ctx: JobContext, rows: StoredFile[], tally: Tally): Promise<void> {
    for (const row of rows) {
      checkAborted(ctx.signal);
      for (const object of storeObjectsOf(row)) await this.files.remove(object);
    }
    tally.files += await this.fileInfos.deletePermanently(rows.map((r) => r.id));
  }

  /** Top-level "YYYYMMDD" folders whose whole day is older than the file cut-off. */
  private async oldDayFolders(cutoff: number): Promise<string[]> {
    const entries = await this.files.list('');
    return entries.filter((e) => e.isDirectory && (dayFolderTime(e.name) ?? Infinity) + DAY_MS <= cutoff).map((e) => e.name);
  }

  /**
   * The dated-folder sweep this job did before file_infos existed, kept for what the table does
   * not know: bytes from before it, from uploads cut off before their row was written, of rows
   * deleted without their bytes; and, on a local disk, the empty channel and user folders left
   * once every file of a day is deleted. By now every row of such a day has gone with the files
   * above, so a folder still referenced belongs to a row whose date and path disagree (written by
   * another tool): it is left alone — bytes a row points to are only deleted with their row.
   */
  private async sweepOrphanFolders(ctx: JobContext, folders: string[], tally: Tally, advance: (n: number) => Promise<void>): Promise<void> {
    // An unfinished resumable upload writes its parts into its day's folder before any row exists.
    const referenced = new Set([...(await this.fileInfos.referencedFolders(folders)), ...(await this.uploads.referencedFolders(folders))]);
    for (const folder of folders) {
      checkAborted(ctx.signal);
      if (!referenced.has(folder)) {
        await this.files.remove(folder);
        tally.folders++;
      }
      await advance(1);
    }
  }
}
