import type { Server } from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { middlewareChain } from './middleware-chain.js';

/** What ran for a request, in order; the last handler answers it. */
type Trace = Request & { trace?: string[] };
const mark = (name: string) => (req: Trace, _res: Response, next: NextFunction) => {
  (req.trace ??= []).push(name);
  next();
};

let server: Server;
let base: string;

beforeAll(async () => {
  const app = express();
  app.use(
    middlewareChain([
      { handlers: [mark('all')] },
      { under: '/api/v4', handlers: [mark('api')] },
      { under: ['/oauth/authorize', '/oauth/deauthorize'], handlers: [mark('oauth')] },
      {
        under: '/fail',
        handlers: [
          (req: Trace, _res: Response, next: NextFunction) => next(req.query.how === 'throw' ? undefined : new Error(`passed on`)),
          mark('ordinary'),
          (err: Error, req: Trace, _res: Response, next: NextFunction) => {
            (req.trace ??= []).push(`handled ${err.message}`);
            if (req.query.how === 'recover') return next();
            next(err);
          },
          mark('after recovery'),
        ],
      },
      {
        under: '/fail',
        handlers: [
          (req: Trace, _res: Response, next: NextFunction) => {
            if (req.query.how === 'throw') throw new Error('thrown');
            next();
          },
        ],
      },
    ]),
  );
  app.use((req: Trace, res: Response) => {
    res.json({ trace: req.trace ?? [] });
  });
  app.use((err: Error, req: Trace, res: Response, _next: NextFunction) => {
    res.status(500).json({ trace: req.trace ?? [], error: err.message });
  });
  await new Promise<void>((resolve) => {
    server = app.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => {
  server?.close();
});

async function trace(path: string): Promise<{ status: number; trace: string[]; error?: string }> {
  const res = await fetch(base + path);
  return { status: res.status, ...((await res.json()) as { trace: string[]; error?: string }) };
}

describe('middlewareChain', () => {
  it('runs a stage under its mount path as Express would: any case, on a segment boundary, the mount itself included', async () => {
    expect((await trace('/api/v4/users/me')).trace).toEqual(['all', 'api']);
    expect((await trace('/API/V4/users/me')).trace).toEqual(['all', 'api']);
    expect((await trace('/api/v4')).trace).toEqual(['all', 'api']);
    expect((await trace('/api/v4/')).trace).toEqual(['all', 'api']);
    expect((await trace('/api/v4x/users')).trace).toEqual(['all']);
    expect((await trace('/static/app.js')).trace).toEqual(['all']);
    expect((await trace('/oauth/deauthorize?x=1')).trace).toEqual(['all', 'oauth']);
  });

  it('sends an error to the next error handler, past the ordinary ones, and on to Express when it is passed on', async () => {
    expect(await trace('/fail')).toEqual({ status: 500, trace: ['all', 'handled passed on'], error: 'passed on' });
  });

  it('resumes with the next ordinary handler when an error handler calls next() without an error', async () => {
    expect(await trace('/fail?how=recover')).toEqual({ status: 200, trace: ['all', 'handled passed on', 'after recovery'] });
  });

  it('takes a throw as an error', async () => {
    expect(await trace('/fail?how=throw')).toEqual({ status: 500, trace: ['all', 'ordinary', 'after recovery'], error: 'thrown' });
  });
});
