import { Inject, Injectable, Logger, OnApplicationShutdown, Optional } from '@nestjs/common';
import { ConfigService } from '#config';
import { FileStore } from '#storage';
import type { FileInfoRow } from '../file-info.model.js';
import { FileInfosRepository } from '../file-infos.repository.js';
import { pdfTextInWorker, PdfWorkerLimits } from './pdf-in-worker.js';
import { capUtf8, MAX_CONTENT_BYTES, readText, storable } from './text-content.js';

/** Reads a PDF's text; the node's is PDF.js in a worker thread, specs may read in process. */
export type PdfReader = (data: Uint8Array) => Promise<string>;
export const PDF_READER = Symbol('PDF_READER');

/** A PDF is read whole into memory for PDF.js: larger ones keep only their name searchable. */
export const MAX_PDF_BYTES = 50 * 1024 * 1024;
export const PDF_LIMITS: PdfWorkerLimits = {
  maxPages: 1000,
  maxChars: MAX_CONTENT_BYTES,
  timeoutMs: 30_000,
  heapMb: 256,
  memoryBudgetBytes: 512 * 1024 * 1024,
};
/** How long shutdown waits for queued extractions before it drops them. */
const SHUTDOWN_WAIT_MS = 3000;

/** What an extraction needs of a file (the row is not kept). */
type ExtractJob = Pick<FileInfoRow, 'id' | 'path' | 'name' | 'extension' | 'mime_type'>;

/** Mattermost extracts no images (ExtractContentFromFileInfo returns early for them). */
const isImage = (job: ExtractJob) => job.mime_type.startsWith('image/');
/** Mattermost's pdfExtractor goes by the extension. */
const isPdf = (job: ExtractJob) => job.extension === 'pdf';

/**
 * ExtractContent (app/file.go ExtractContentFromFileInfo): once an upload's FileInfo rows are
 * committed, the text of each file is read in the background — the upload has already been
 * answered, as Mattermost's goroutine — and stored in file_infos.content for file search.
 * PDFs go through PDF.js in a worker thread with time and memory limits; every other file that is
 * not an image is text when its first 1024 bytes are (Mattermost's plain extractor), and only its
 * first 1 MB is read. Files are handled one at a time per node, so a burst of uploads queues
 * instead of competing for the CPU. A failure is logged and leaves the file findable by name.
 */
@Injectable()
export class ContentExtractor implements OnApplicationShutdown {
  private readonly log = new Logger('files');
  private readonly queue: ExtractJob[] = [];
  private draining: Promise<void> | undefined;
  private stopping = false;
  private readonly readPdf: PdfReader;

  constructor(
    private readonly store: FileStore,
    private readonly repo: FileInfosRepository,
    private readonly config: ConfigService,
    @Optional() @Inject(PDF_READER) readPdf?: PdfReader,
  ) {
    this.readPdf = readPdf ?? ((data) => pdfTextInWorker(data, PDF_LIMITS));
  }

  /** Queues the text extraction of committed files (when FileSettings.ExtractContent); returns at once. */
  enqueue(rows: FileInfoRow[]): void {
    if (this.stopping || !this.config.get().FileSettings.ExtractContent) return;
    for (const r of rows) {
      const job = { id: r.id, path: r.path, name: r.name, extension: r.extension, mime_type: r.mime_type };
      if (!isImage(job)) this.queue.push(job);
    }
    this.draining ??= this.drain();
  }

  /** Resolves once every queued extraction is done (specs, shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const done = this.idle();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
    if (this.queue.length > 0) this.log.warn(`Shutting down with ${this.queue.length} file(s) whose content was not extracted`);
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    try {
      for (let job = this.queue.shift(); job; job = this.queue.shift()) {
        try {
          await this.extract(job);
        } catch (err) {
          this.log.warn(
            `Failed to extract file content (file_id=${job.id}, name=${JSON.stringify(job.name)}): ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    } finally {
      // Cleared in the same turn as the last emptiness check, so a later enqueue starts a new drain.
      this.draining = undefined;
    }
  }

  private async extract(job: ExtractJob): Promise<void> {
    const text = isPdf(job) ? await this.pdf(job) : await readText(await this.store.openReader(job.path, { start: 0, end: MAX_CONTENT_BYTES - 1 }));
    const content = text ? storable(capUtf8(text)).trim() : '';
    if (content) await this.repo.setContent(job.id, content);
  }

  private async pdf(job: ExtractJob): Promise<string> {
    const stat = await this.store.stat(job.path);
    if (!stat || stat.size === 0) return '';
    if (stat.size > MAX_PDF_BYTES) {
      this.log.log(`Not extracting the text of a PDF over ${MAX_PDF_BYTES} bytes (file_id=${job.id})`);
      return '';
    }
    // One array of its own (a pooled Buffer's memory cannot move to the worker), filled as the store streams.
    const data = new Uint8Array(stat.size);
    let at = 0;
    for await (const chunk of await this.store.openReader(job.path, { start: 0, end: stat.size - 1 })) {
      const buf = chunk as Buffer;
      data.set(buf.subarray(0, data.length - at), at);
      at = Math.min(at + buf.length, data.length);
    }
    return this.readPdf(at === data.length ? data : data.slice(0, at));
  }
}
