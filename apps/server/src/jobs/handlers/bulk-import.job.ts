import { stat } from 'node:fs/promises';
import { posix, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { ConfigService } from '#config';
import { Database } from '#db';
import { InvalidationBus } from '#realtime';
import { FileStore } from '#storage';
import { importDirectory, importFileName } from '../../imports/import-files.js';
import { ImportReferences } from '../import/import-references.js';
import { attachmentEntryName, attachmentsOf, ImportLine, ImportLineError, parseImportLine } from '../import/import-lines.js';
import { ImportWriter } from '../import/import-writer.js';
import { ZipSource } from '../import/zip-source.js';
import { checkAborted, JobContext, JobHandler, JobResult } from '../job-handler.js';
import { JobType } from '../job.model.js';

/** Lines of one kind written in one transaction. */
const BATCH = 100;
/** The share of the progress bar the checking pass takes (it reads the file once, the import once more). */
const CHECK_SHARE = 20;
/** What an import writes, analysed once it is done so that the statements after it are planned for the new sizes (Database.analyze). */
const IMPORTED_TABLES = ['teams', 'channels', 'users', 'team_members', 'channel_members', 'posts', 'threads', 'reactions', 'preferences', 'file_infos'];

type Kind = Exclude<ImportLine['type'], 'version' | 'skipped'>;

export interface BulkImportOptions {
  /**
   * `import_file` may name a file on this machine's disk when the job's data has `local_mode`
   * (the jobs CLI, and mmctl --local import process --bypass-upload). The server's POST /jobs
   * takes local_mode only over the local socket: it never reads its disk on a remote caller's word.
   */
  localFiles?: boolean;
}

/** A job failure with Mattermost's error id (the job's data gets it as error_id, with line_number when a line is to blame). */
class ImportFailure extends Error {
  constructor(
    readonly id: string,
    message: string,
    readonly line?: number,
  ) {
    super(line ? `line ${line}: ${id}: ${message}` : `${id}: ${message}`);
  }
}

/**
 * import_process: a bulk import of Mattermost's JSONL format from a zip (an export of this server
 * or of Mattermost), the counterpart of export_process. `import_file` in the job's data names a
 * file in ImportSettings.Directory of the file store (uploaded with an upload session of type
 * "import"); once imported it is removed, as Mattermost's worker does.
 *
 * Two passes over the archive's root .jsonl, read line by line from the zip as a stream: the first
 * checks every line (and that every team, channel and user a line names exists by then, in the file
 * or in the database, and every attachment is in the archive) and writes nothing — a bad line fails
 * the job with its number and Mattermost's error id in the job's data. The second writes, in the
 * file's order (version, teams, channels, users, posts, direct channels, direct posts), a batch of
 * lines of one kind per transaction. Re-running updates what is there (see ImportWriter).
 */
export class BulkImportJob extends JobHandler {
  readonly type = JobType.ImportProcess;
  private readonly log = new Logger('jobs');

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly files: FileStore,
    private readonly invalidation?: InvalidationBus,
    private readonly options: BulkImportOptions = {},
  ) {
    super();
  }

  async run(ctx: JobContext): Promise<JobResult | void> {
    try {
      return await this.runImport(ctx);
    } catch (err) {
      if (err instanceof ImportFailure) {
        ctx.setData({ error_id: err.id, ...(err.line ? { line_number: String(err.line) } : {}) });
      }
      throw err;
    }
  }

  private async runImport(ctx: JobContext): Promise<JobResult | void> {
    const { zip, storePath } = await this.open(ctx.job.data);
    try {
      const jsonl = zip.rootJsonl();
      if (!jsonl) throw new ImportFailure('import_process.worker.do_job.missing_jsonl', 'the archive has no .jsonl file at its root');
      const size = Math.max(1, zip.size(jsonl));

      // Pass 1: every line checked, nothing written.
      const references = new ImportReferences(this.db);
      let lines = 0;
      let read = 0;
      const skipped = new Map<string, number>();
      for await (const { text, number } of zip.lines(jsonl)) {
        read += text.length + 1;
        if (text.trim() === '') continue;
        const line = this.parse(text, number);
        this.checkAttachments(zip, line, number);
        references.see(line, number);
        if (line.type === 'skipped') skipped.set(line.kind, (skipped.get(line.kind) ?? 0) + 1);
        lines = number;
        if (number % 1000 === 0) {
          checkAborted(ctx.signal);
          await ctx.progress((Math.min(read, size) / size) * CHECK_SHARE);
        }
      }
      if (lines === 0) throw new ImportFailure('app.import.process_import_data_file_version_line.invalid_version.error', 'the file is empty', 1);
      const missing = await references.missing();
      if (missing) throw new ImportFailure(missing.id, missing.message, missing.line);
      ctx.setData({ lines_checked: String(lines) });
      await ctx.progress(CHECK_SHARE);

      // Pass 2: the lines written in order, a batch of one kind at a time.
      const writer = new ImportWriter(this.db, this.config, this.files, zip);
      let pending: { kind: Kind; lines: ImportLine[]; first: number } | null = null;
      const report = () =>
        ctx.setData({
          teams_imported: String(writer.counts.teams),
          channels_imported: String(writer.counts.channels),
          users_imported: String(writer.counts.users),
          posts_imported: String(writer.counts.posts),
          replies_imported: String(writer.counts.replies),
          direct_channels_imported: String(writer.counts.direct_channels),
          direct_posts_imported: String(writer.counts.direct_posts),
          attachments_imported: String(writer.counts.attachments),
        });
      const flush = async (last: number) => {
        if (!pending) return;
        const batch = pending;
        pending = null;
        checkAborted(ctx.signal);
        try {
          await writer.batch((tx, written) => this.write(writer, tx, batch.kind, batch.lines, written));
        } catch (err) {
          // Which line of the batch failed is not known; the batch's first line is named (none of its lines was written).
          if (err instanceof ImportLineError) throw new ImportFailure(err.id, `${err.message} (in the batch of lines ${batch.first}–${last})`, batch.first);
          throw err;
        }
        report();
        await ctx.progress(CHECK_SHARE + (last / lines) * (100 - CHECK_SHARE - 1));
      };
      let previous = 0;
      for await (const { text, number } of zip.lines(jsonl)) {
        if (text.trim() === '') continue;
        const line = this.parse(text, number);
        if (line.type === 'version' || line.type === 'skipped') continue;
        if (pending && (pending.kind !== line.type || pending.lines.length >= BATCH)) await flush(previous);
        pending ??= { kind: line.type, lines: [], first: number };
        pending.lines.push(line);
        previous = number;
      }
      await flush(previous);
      report();
      this.invalidate(writer);
      // Everything is written: statistics that fail to refresh (a statement timeout on a large table,
      // say) are left to autovacuum rather than failing an import that succeeded.
      await this.db.analyze(IMPORTED_TABLES).catch((err) => this.log.warn(`could not analyse the imported tables: ${err}`));

      if (storePath) await this.files.remove(storePath);
      if (skipped.size) {
        const kinds = [...skipped].map(([k, n]) => `${n} ${k}`).join(', ');
        ctx.setData({ lines_skipped: String([...skipped.values()].reduce((a, b) => a + b, 0)) });
        return { warning: `lines of kinds this server does not import were skipped: ${kinds}` };
      }
    } finally {
      zip.close();
    }
  }

  private async open(data: Record<string, string>): Promise<{ zip: ZipSource; storePath: string | null }> {
    const name = data.import_file;
    if (!name) throw new ImportFailure('import_process.worker.do_job.missing_file', 'the job names no import_file');
    if (this.options.localFiles && data.local_mode === 'true') {
      const path = resolve(name);
      if (!(await stat(path).catch(() => null))?.isFile()) throw new ImportFailure('import_process.worker.do_job.file_exists', `no file ${path}`);
      return { zip: await this.openZip(() => ZipSource.fromLocalFile(path)), storePath: null };
    }
    let fileName: string;
    try {
      fileName = importFileName(name);
    } catch {
      throw new ImportFailure('import_process.worker.do_job.file_exists', `${JSON.stringify(name)} is not the name of an import file`);
    }
    const path = posix.join(importDirectory(this.config.get().ImportSettings.Directory), fileName);
    const found = await this.files.stat(path);
    if (!found) throw new ImportFailure('import_process.worker.do_job.file_exists', `no import file ${fileName}`);
    return { zip: await this.openZip(() => ZipSource.fromStore(this.files, path, found.size)), storePath: path };
  }

  private async openZip(open: () => Promise<ZipSource>): Promise<ZipSource> {
    try {
      return await open();
    } catch (err) {
      throw new ImportFailure('import_process.worker.do_job.open_file', `the file is not a zip archive: ${err instanceof Error ? err.message : err}`);
    }
  }

  private parse(text: string, number: number): ImportLine {
    try {
      return parseImportLine(text, number);
    } catch (err) {
      if (err instanceof ImportLineError) throw new ImportFailure(err.id, err.message, number);
      throw err;
    }
  }

  /** Every file a post names must be in the archive (Mattermost's import fails such a post too). */
  private checkAttachments(zip: ZipSource, line: ImportLine, number: number): void {
    if (line.type !== 'post' && line.type !== 'direct_post') return;
    const data = line.type === 'post' ? line.post : line.direct_post;
    for (const a of attachmentsOf(data)) {
      if (!zip.has(attachmentEntryName(a.path)!)) {
        throw new ImportFailure(`app.import.validate_${line.type}_import_data.attachment.error`, `attachment ${a.path} is not in the archive's data/`, number);
      }
    }
  }

  private async write(
    writer: ImportWriter,
    tx: Parameters<Parameters<ImportWriter['batch']>[0]>[0],
    kind: Kind,
    lines: ImportLine[],
    written: string[],
  ): Promise<void> {
    switch (kind) {
      case 'team':
        return writer.importTeams(
          tx,
          lines.map((l) => (l as Extract<ImportLine, { type: 'team' }>).team),
        );
      case 'channel':
        return writer.importChannels(
          tx,
          lines.map((l) => (l as Extract<ImportLine, { type: 'channel' }>).channel),
        );
      case 'user':
        return writer.importUsers(
          tx,
          lines.map((l) => (l as Extract<ImportLine, { type: 'user' }>).user),
        );
      case 'post':
        return writer.importPosts(
          tx,
          lines.map((l) => (l as Extract<ImportLine, { type: 'post' }>).post),
          written,
        );
      case 'direct_channel':
        return writer.importDirectChannels(
          tx,
          lines.map((l) => (l as Extract<ImportLine, { type: 'direct_channel' }>).direct_channel),
        );
      case 'direct_post':
        return writer.importDirectPosts(
          tx,
          lines.map((l) => (l as Extract<ImportLine, { type: 'direct_post' }>).direct_post),
          written,
        );
    }
  }

  /** The server this runs in caches users and memberships: the ones the import changed are dropped on every node. */
  private invalidate(writer: ImportWriter): void {
    if (!this.invalidation) return;
    for (const id of writer.touchedUsers) this.invalidation.emit('user', id);
    for (const id of writer.touchedTeams) this.invalidation.emit('team_members', id);
    for (const id of writer.touchedChannels) {
      this.invalidation.emit('channel_members', id);
      this.invalidation.emit('channel', id);
    }
  }
}
