import { posix } from 'node:path';
import { ConfigService } from '#config';
import { Database } from '#db';
import { FileStore } from '#storage';
import { SERVER_VERSION } from '../../common/http-pipeline.js';
import { ExportReader, ExportTotals, FIRST_ID } from '../export/export-reader.js';
import { channelLine, directChannelLine, directPostLine, postLine, teamLine, userLine, versionLine } from '../export/export-lines.js';
import { EntryWriter, ZipWriter } from '../export/zip-writer.js';
import { checkAborted, JobContext, JobHandler } from '../job-handler.js';
import { JobType } from '../job.model.js';

const BATCH = 1000;
/** A half-written archive nobody has touched for this long belongs to a run that died. */
const STALE_PARTIAL_MS = 10 * 60_000;

/**
 * export_process: a bulk export of teams, channels, users (with memberships), posts (with replies
 * and reactions), direct channels and direct posts, as Mattermost's JSONL import format in a zip
 * (`import.jsonl`), written to `<ExportSettings.Directory>/<job id>_export.zip` in the file store.
 * The archive appears only when complete, so a run that a crash cut off and another node redoes
 * writes it again from the start, never a file with lines twice.
 */
export class BulkExportJob extends JobHandler {
  readonly type = JobType.ExportProcess;
  private readonly reader: ExportReader;

  constructor(
    db: Database,
    private readonly config: ConfigService,
    private readonly files: FileStore,
  ) {
    super();
    this.reader = new ExportReader(db);
  }

  async run(ctx: JobContext): Promise<void> {
    const dir = posix.normalize(this.config.get().ExportSettings.Directory || './export');
    const path = posix.join(dir, `${ctx.job.id}_export.zip`);
    await this.removeStalePartials(dir);
    const totals = await this.reader.totals();
    const all = Object.values(totals).reduce((a, b) => a + b, 0);
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
      await this.writeAll(out, ctx, advance);
      await out.end();
      await zip.finish();
      const size = await file.commit();
      ctx.setData({ export_file: path, export_size: String(size) });
    } catch (err) {
      await file.abort();
      throw err;
    }
  }

  private async writeAll(out: EntryWriter, ctx: JobContext, advance: (n: number) => Promise<void>): Promise<void> {
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
    await pages(
      'posts',
      async (after) => {
        const r = await this.reader.posts(after, BATCH);
        return { last: r.last, rows: r.posts };
      },
      async (rows) => rows.map(postLine).join(''),
    );
    await pages(
      'directChannels',
      async (after) => byId(await this.reader.directChannels(after, BATCH)),
      async (rows) => rows.map((c) => directChannelLine(c.members, c.header, c.favorited_by)).join(''),
    );
    await pages(
      'directPosts',
      async (after) => {
        const r = await this.reader.directPosts(after, BATCH);
        return { last: r.last, rows: r.posts };
      },
      async (rows) => rows.map(directPostLine).join(''),
    );
  }

  private async removeStalePartials(dir: string): Promise<void> {
    const now = Date.now();
    for (const e of await this.files.list(dir)) {
      if (!e.isDirectory && /^\..*\.partial$/.test(e.name) && now - e.modifiedAt > STALE_PARTIAL_MS) await this.files.remove(posix.join(dir, e.name));
    }
  }
}
