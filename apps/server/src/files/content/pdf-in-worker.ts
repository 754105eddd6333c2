import { Worker } from 'node:worker_threads';
import type { PdfLimits } from './pdf-text.js';
import type { PdfAnswer, PdfJob } from './pdf-worker.js';

export interface PdfWorkerLimits extends PdfLimits {
  /** The worker is terminated after this long (Mattermost's extractor has a timeout too). */
  timeoutMs: number;
  /** V8 heap of the worker. */
  heapMb: number;
  /**
   * Growth of the process's resident memory at which the worker is terminated. PDF.js decodes a
   * compressed content stream into one buffer outside the V8 heap, so a 300 KB "zip bomb" PDF
   * becomes 300 MB; the heap limit does not see that, this watch does.
   */
  memoryBudgetBytes: number;
}

const MEMORY_WATCH_MS = 50;

/**
 * The text of a PDF read by PDF.js in a worker thread (pdf-worker.ts). `data` is moved to the
 * worker (it must own its ArrayBuffer). Rejects on a broken PDF, a timeout, too much memory or a
 * worker that dies; the node itself is never at stake.
 */
export function pdfTextInWorker(data: Uint8Array, limits: PdfWorkerLimits): Promise<string> {
  return new Promise((resolve, reject) => {
    const job: PdfJob = { data, limits: { maxPages: limits.maxPages, maxChars: limits.maxChars } };
    const baseline = process.memoryUsage.rss();
    const worker = new Worker(new URL('./pdf-worker.js', import.meta.url), {
      workerData: job,
      transferList: [data.buffer as ArrayBuffer],
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb, maxYoungGenerationSizeMb: 32 },
    });
    let settled = false;
    const finish = (err: Error | undefined, text = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(watch);
      void worker.terminate();
      if (err) reject(err);
      else resolve(text);
    };
    const timer = setTimeout(() => finish(new Error(`PDF text extraction took longer than ${limits.timeoutMs} ms`)), limits.timeoutMs);
    const watch = setInterval(() => {
      if (process.memoryUsage.rss() - baseline > limits.memoryBudgetBytes) finish(new Error('PDF text extraction used too much memory'));
    }, MEMORY_WATCH_MS);
    worker.once('message', (answer: PdfAnswer) => finish('error' in answer ? new Error(answer.error) : undefined, 'text' in answer ? answer.text : ''));
    worker.once('error', (err) => finish(err));
    worker.once('exit', (code) => finish(new Error(`PDF worker exited (${code}) without an answer`)));
  });
}
