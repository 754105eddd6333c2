import { posix } from 'node:path';
import { ConfigService } from '#config';
import { Database } from '#db';
import { FileStore } from '#storage';
import { SERVER_VERSION } from '../../common/http-pipeline.js';
import { FileInfosRepository } from '../../files/file-infos.repository.js';
import { AttachmentList } from '../export/attachment-list.js';
import { ExportReader, ExportTotals, FIRST_ID } from '../export/export-reader.js';
import { channelLine, directChannelLine, directPostLine, PostRow, postLine, teamLine, userLine, versionLine } from '../export/export-lines.js';
import { EntryWriter, ZipWriter } from '../export/zip-writer.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

const BATCH = 1000;
/** A half-written archive nobody has touched for this long belongs to a run that died. */
const STALE_PARTIAL_MS = 10 * 60_000;
/** Where an archive keeps attachments' bytes (Mattermost's model.ExportDataDir), and the list of files it could not read. */
const DATA_DIR = 'data';
const WARNINGS_FILE = 'warnings.txt';

type Advance = (n: number) => Promise<void>;

/**
 * export_process: a bulk export of teams, channels, users (with memberships), posts (with replies
 * and reactions), direct channels and direct posts, as Mattermost's JSONL import format in a zip
 * (`import.jsonl`), written to `<ExportSettings.Directory>/<job id>_export.zip` in the file store.
 * The archive appears only when complete, so a run that a crash cut off and another node redoes
 * writes it again from the start, never a file with lines twice.
 *
 * With `include_attachments: "true"` in the job's data (mmctl export create --attachments), post,
 * reply and direct post lines name their live files (`"attachments": [{"path": <store path>}]`)
 * and, once import.jsonl is complete, each file is streamed from the store into the archive at
 * `data/<path>`, stored as it is — where Mattermost's import looks for it. A file that cannot be
 * read is left out and named in `warnings.txt` (num_warnings), as Mattermost's exportAttachments
 * does. Without it no line names a file: unlike Mattermost, whose lines name them anyway, so that an
 * export without attachments still imports (its import refuses a named file missing from the zip).
 */
export class BulkExportJob extends JobHandler {
  readonly type = JobType.ExportProcess;
  private readonly reader: ExportReader;
  private readonly fileInfos: FileInfosRepository;

  constructor(
    db: Database,
    private readonly config: ConfigService,
    private readonly files: FileStore,
  ) {
    super();
    this.reader = new ExportReader(db);
    this.fileInfos = new FileInfosRepository(db);
  }

  async run(ctx: JobContext): Promise<void> {
    const dir = posix.normalize(this.config.get().ExportSettings.Directory || './export');
    const path = posix.join(dir, `${ctx.job.id}_export.zip`);
    const withAttachments = ctx.job.data?.include_attachments === 'true';
    await this.removeStalePartials(dir);
    const totals = await this.reader.totals();
    const all = Object.values(totals).reduce((a, b) => a + b, 0) + (withAttachments ? await this.reader.attachmentTotal() : 0);
    let done = 0;
    const advance = async (n: number) => {
      done += n;
      if (all > 0) await ctx.progress(Math.min(99, (done / all) * 100));
    };

    const file = await this.files.openWriter(path);
    try {
      const zip = new ZipWriter(file);
      const out = await zip.entry('import.jsonl');
      await out.write(versionLine(SERVER_VERSION, new Date()));
      const attachments = withAttachments ? new AttachmentList() : null;
      await this.writeAll(out, ctx, advance, attachments);
      await out.end();
      if (attachments) await this.writeAttachments(zip, attachments, ctx, advance);
      await zip.finish();
      const size = await file.commit();
      ctx.setData({ export_file: path, export_size: String(size) });
    } catch (err) {
      await file.abort();
      throw err;
    }
  }

  /**
   * The named files, in the order their lines came, each one entry streamed from the store. A
   * file that cannot be opened (its row or bytes gone since its line was written) is skipped with
   * a warning; one that fails midway fails the run, since half an entry cannot be taken back.
   */
  private async writeAttachments(zip: ZipWriter, list: AttachmentList, ctx: JobContext, advance: Advance): Promise<void> {
    const warnings: string[] = [];
    let exported = 0;
    for (const ids of list.batches(BATCH)) {
      const rows = new Map((await this.fileInfos.storedByIds(ids)).map((r) => [r.id, r]));
      for (const id of ids) {
        checkAborted(ctx.signal);
        const row = rows.get(id);
        const source = row ? await this.files.openReader(row.path).catch((err: Error) => err) : new Error('its file info is gone');
        if (source instanceof Error) {
          warnings.push(`attachment ${row?.path ?? id} left out: ${source.message}`);
        } else {
          try {
            const entry = await zip.entry(posix.join(DATA_DIR, row!.path), new Date(), 'store');
            await entry.writeStream(source);
            await entry.end();
          } finally {
            source.destroy();
          }
          exported++;
        }
        ctx.setData({ attachments_exported: String(exported), ...(warnings.length ? { num_warnings: String(warnings.length) } : {}) });
        await advance(1);
      }
    }
    if (warnings.length) {
      const entry = await zip.entry(WARNINGS_FILE);
      await entry.write(warnings.map((w) => `${w}\n`).join(''));
      await entry.end();
    }
  }

  private async writeAll(out: EntryWriter, ctx: JobContext, advance: Advance, attachments: AttachmentList | null): Promise<void> {
    const counts: Record<keyof ExportTotals, number> = { teams: 0, channels: 0, users: 0, posts: 0, directChannels: 0, directPosts: 0 };
    const report = () =>
      ctx.setData({
        teams_exported: String(counts.teams),
        channels_exported: String(counts.channels),
        users_exported: String(counts.users),
        posts_exported: String(counts.posts),
        direct_channels_exported: String(counts.directChannels),
        direct_posts_exported: String(counts.directPosts),
      });
    // Each kind: read a batch after the last id, write its lines, until a short batch.
    const pages = async <T>(
      kind: keyof ExportTotals,
      read: (after: string) => Promise<{ last: string | null; rows: T[] }>,
      render: (rows: T[]) => Promise<string>,
    ) => {
      let after = FIRST_ID;
      for (;;) {
        checkAborted(ctx.signal);
        const { last, rows } = await read(after);
        if (rows.length) await out.write(await render(rows));
        counts[kind] += rows.length;
        report();
        await advance(rows.length);
        if (rows.length < BATCH || last === null) return;
        after = last;
      }
    };
    const byId = <T extends { id: string }>(rows: T[]) => ({ last: rows.at(-1)?.id ?? null, rows });

    await pages(
      'teams',
      async (after) => byId(await this.reader.teams(after, BATCH)),
      async (rows) => rows.map(teamLine).join(''),
    );
    await pages(
      'channels',
      async (after) => byId(await this.reader.channels(after, BATCH)),
      async (rows) => rows.map(channelLine).join(''),
    );
    await pages(
      'users',
      async (after) => byId(await this.reader.users(after, BATCH)),
      async (rows) => {
        const memberships = await this.reader.memberships(rows.map((u) => u.id));
        return rows.map((u) => userLine(u, memberships.get(u.id) ?? [])).join('');
      },
    );
    // The files a batch's lines name, to be streamed once import.jsonl is complete.
    const named = (rows: Array<PostRow & { replies: PostRow[] }>) =>
      attachments?.add(rows.flatMap((p) => [...p.attachments, ...p.replies.flatMap((r) => r.attachments)].map((a) => a.id)));
    const withFiles = attachments !== null;
    await pages(
      'posts',
      async (after) => {
        const r = await this.reader.posts(after, BATCH, withFiles);
        return { last: r.last, rows: r.posts };
      },
      async (rows) => {
        named(rows);
        return rows.map(postLine).join('');
      },
    );
    await pages(
      'directChannels',
      async (after) => byId(await this.reader.directChannels(after, BATCH)),
      async (rows) => rows.map((c) => directChannelLine(c.members, c.header, c.favorited_by)).join(''),
    );
    await pages(
      'directPosts',
      async (after) => {
        const r = await this.reader.directPosts(after, BATCH, withFiles);
        return { last: r.last, rows: r.posts };
      },
      async (rows) => {
        named(rows);
        return rows.map(directPostLine).join('');
      },
    );
  }

  private async removeStalePartials(dir: string): Promise<void> {
    const now = Date.now();
    for (const e of await this.files.list(dir)) {
      if (!e.isDirectory && /^\..*\.partial$/.test(e.name) && now - e.modifiedAt > STALE_PARTIAL_MS) await this.files.remove(posix.join(dir, e.name));
    }
  }
}
