import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';

/** Middlewares that run for every path, or only under the given mount paths (as `app.use(paths, …)`). */
export interface MiddlewareStage {
  under?: string | string[];
  handlers: Array<RequestHandler | ErrorRequestHandler>;
}

const SLASH = '/'.charCodeAt(0);

/** Whether `path` is `mount` or below it, as Express matches a mount path: any case, on a segment boundary. */
function isUnder(path: string, mount: string): boolean {
  return path.startsWith(mount) && (path.length === mount.length || path.charCodeAt(mount.length) === SLASH);
}

/**
 * The server's front middlewares as one Express layer (issue 17). Express walks its stack layer by
 * layer, matching each mount path against the URL and rewriting req.url into and out of each mount,
 * for every request; eighteen such layers stood between a request and its route. Here the mount
 * paths are plain prefixes, compared with the path lower-cased once per request, and the handlers
 * are called in order with Express's rules: an error skips to the next error handler (four
 * parameters), an error handler's plain `next()` resumes with the next ordinary handler, a throw is
 * an error. The handlers here read req.originalUrl, never req.url, so they need no mount rewrite.
 */
export function middlewareChain(stages: MiddlewareStage[]): RequestHandler {
  const flat = stages.flatMap((s) => {
    const under = s.under === undefined ? undefined : (Array.isArray(s.under) ? s.under : [s.under]).map((p) => p.toLowerCase());
    return s.handlers.map((handle) => ({ under, handle, forErrors: handle.length === 4 }));
  });
  return (req: Request, res: Response, done: NextFunction) => {
    const path = req.path.toLowerCase();
    let at = 0;
    const next = (err?: unknown): void => {
      while (at < flat.length) {
        const { under, handle, forErrors } = flat[at++];
        if (forErrors !== Boolean(err)) continue; // Express too takes any falsy value as no error
        if (under && !under.some((mount) => isUnder(path, mount))) continue;
        try {
          if (forErrors) (handle as ErrorRequestHandler)(err, req, res, next);
          else (handle as RequestHandler)(req, res, next);
        } catch (thrown) {
          next(thrown);
        }
        return;
      }
      done(err || undefined);
    };
    next();
  };
}
