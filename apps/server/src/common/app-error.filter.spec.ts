import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { AppErrorFilter } from './app-error.filter.js';

const dir = mkdtempSync(join(tmpdir(), 'app-error-filter-'));
let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  // Middlewares outside Nest's handlers that pass an error on, as a body reader or a limiter can.
  app.use('/api/v4/broken', (_req: Request, _res: Response, next: NextFunction) => next(new Error('socket gone')));
  app.use('/api/v4/refused', (_req: Request, _res: Response, next: NextFunction) =>
    next(new AppError('', 'api.context.invalid_body_param.app_error', 'Invalid or malformed JSON in request body.', 400)),
  );
  app.use('/api/v4', new AppErrorFilter(new ConfigService(join(dir, 'config.json'), {})).expressHandler());
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AppErrorFilter.expressHandler', () => {
  it("answers a middleware's unknown error as Mattermost's 500 JSON, not Express's HTML page", async () => {
    const res = await fetch(`${base}/api/v4/broken`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toMatchObject({ id: 'app.internal_error', status_code: 500 });
  });

  it("answers a middleware's AppError with its own status and id", async () => {
    const res = await fetch(`${base}/api/v4/refused`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ id: 'api.context.invalid_body_param.app_error', status_code: 400 });
  });
});
