import type { Response } from 'express';
import type { FileResponse } from './files.service.js';

/** Writes a file answer: status and headers, then the bytes streamed from the store. */
export function sendFileResponse(res: Response, answer: FileResponse): void {
  res.status(answer.status).set(answer.headers);
  if (!answer.body) return void res.end();
  answer.body.on('error', () => res.destroy());
  answer.body.pipe(res);
}
