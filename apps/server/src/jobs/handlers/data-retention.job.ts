import { ConfigService, type Config } from '#config';
import { Database } from '#db';
import type { Schedule } from '#jobs';
import { FileStore } from '#storage';
import { DeletedPosts, PostsRepository } from '../../posts/posts.repository.js';
import { PreferencesRepository } from '../../preferences/preferences.repository.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

const DAY_MS = 86_400_000;
/** Mattermost files attachments under a folder per upload day: "YYYYMMDD/teams/…". */
const DAY_FOLDER = /^(\d{4})(\d{2})(\d{2})$/;

/** The start of a "YYYYMMDD" day folder (local time), or null for any other name. */
export function dayFolderTime(name: string): number | null {
  const m = DAY_FOLDER.exec(name);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(year, month - 1, day);
  if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) return null;
  return date.getTime();
}

/**
 * DataRetentionSettings (Mattermost's data_retention job, enterprise there): deletes posts older
 * than MessageRetentionDays, in batches of BatchSize, with their reactions, threads and flags; and,
 * with file deletion on, attachment files older than FileRetentionDays. There is no file-info table
 * yet (uploads come with the files issue), so the file part deletes what exists: the day folders
 * of the file store that are entirely older than the cut-off. Deleting again what is already gone
 * does nothing, so a run cut off by a crash just continues on the next node.
 */
export class DataRetentionJob extends JobHandler {
  readonly type = JobType.DataRetention;
  private readonly posts: PostsRepository;
  private readonly preferences: PreferencesRepository;

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly files: FileStore,
  ) {
    super();
    this.posts = new PostsRepository(db);
    this.preferences = new PreferencesRepository(db);
  }

  schedule(config: Config): Schedule | null {
    const s = config.DataRetentionSettings;
    return s.EnableMessageDeletion || s.EnableFileDeletion ? { daily: s.DeletionJobStartTime } : null;
  }

  async run(ctx: JobContext): Promise<void> {
    const s = this.config.get().DataRetentionSettings;
    const now = Date.now();
    const postCutoff = now - s.MessageRetentionDays * DAY_MS;
    // A day folder goes when the whole day is older than the cut-off.
    const fileCutoff = now - s.FileRetentionDays * DAY_MS - DAY_MS;
    ctx.setData({
      message_deletion: String(s.EnableMessageDeletion),
      file_deletion: String(s.EnableFileDeletion),
      ...(s.EnableMessageDeletion ? { deleted_posts: '0', deleted_reactions: '0' } : {}),
      ...(s.EnableFileDeletion ? { deleted_file_folders: '0' } : {}),
    });

    const postTotal = s.EnableMessageDeletion ? await this.posts.countCreatedBefore(postCutoff) : 0;
    const folders = s.EnableFileDeletion
      ? (await this.files.list('')).filter((e) => e.isDirectory && (dayFolderTime(e.name) ?? Infinity) < fileCutoff).map((e) => e.name)
      : [];
    const total = postTotal + folders.length;
    let done = 0;
    const report = () => (total > 0 ? ctx.progress((done / total) * 100) : Promise.resolve());

    if (s.EnableMessageDeletion) {
      let posts = 0;
      let reactions = 0;
      for (;;) {
        checkAborted(ctx.signal);
        const batch = await this.deletePostBatch(postCutoff, s.BatchSize);
        posts += batch.posts;
        reactions += batch.reactions;
        done = Math.min(posts, postTotal);
        ctx.setData({ deleted_posts: String(posts), deleted_reactions: String(reactions) });
        await report();
        if (batch.posts < s.BatchSize) break;
      }
    }

    let removed = 0;
    for (const folder of folders) {
      checkAborted(ctx.signal);
      await this.files.remove(folder);
      removed++;
      done++;
      ctx.setData({ deleted_file_folders: String(removed) });
      await report();
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
}
