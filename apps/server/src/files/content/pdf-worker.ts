/**
 * Worker-thread entry for PDF text (content-extractor.service.ts starts one per PDF): the parsing
 * runs off the event loop, under the worker's heap limit, and is terminated on a timeout or when
 * the process's memory grows too much, so a hostile PDF cannot stall or exhaust the node.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PdfLimits, pdfText } from './pdf-text.js';

export interface PdfJob {
  data: Uint8Array;
  limits: PdfLimits;
}

export type PdfAnswer = { text: string } | { error: string };

const job = workerData as PdfJob;
pdfText(job.data, job.limits).then(
  (text) => parentPort?.postMessage({ text } satisfies PdfAnswer),
  (err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies PdfAnswer),
);
