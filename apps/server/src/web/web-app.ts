import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Inject, Injectable, Logger } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import { ConfigService } from '#config';
import { apiNotFound } from '../common/http-pipeline.js';
import { documentHeaders } from './security-headers.js';
import { isApiPath, isServerPath } from './web-paths.js';

/** The folder of the built web app (index.html, assets/): dist/web, next to the compiled server. */
export const WEB_APP_DIR = 'WEB_APP_DIR';

/** Where `npm run build` puts the web app, seen from this file compiled (dist/apps/server/src/web). */
export function defaultWebAppDir(): string {
  return fileURLToPath(new URL('../../../../web/', import.meta.url));
}

const YEAR_SECONDS = 365 * 24 * 3600;

/**
 * The web app, served by every node (Mattermost's web/static.go): its hashed files under
 * /static/assets/ cached for a year, its other files under /static/ revalidated, and index.html
 * — with the security headers — for every GET that no server route answered and that is not
 * under a server prefix (web-paths.ts). Not a controller: it answers what is left after every
 * route, so main.ts mounts it after Nest's routes, and it adds no API route.
 *
 * A node built without the app (no dist/web) still starts; its pages then answer 404 saying so.
 */
@Injectable()
export class WebApp {
  private readonly log = new Logger('web');
  private warned = false;

  constructor(
    private readonly config: ConfigService,
    @Inject(WEB_APP_DIR) private readonly dir: string,
  ) {}

  /** The Express router main.ts mounts last. */
  router(): Router {
    const router = express.Router();
    const assets = express.static(join(this.dir, 'assets'), {
      index: false,
      redirect: false,
      fallthrough: false,
      immutable: true,
      maxAge: YEAR_SECONDS * 1000,
      // Cache-Control decides; the API's `Expires: 0` (http-pipeline.ts) would only confuse old caches.
      setHeaders: (res) => res.removeHeader('Expires'),
    });
    const files = express.static(this.dir, {
      index: false,
      redirect: false,
      fallthrough: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    });
    router.use('/static/assets', readOnly, assets, staticError);
    // index.html is only ever sent with its headers (the CSP), never as a file under /static.
    router.use('/static', readOnly, notIndex, files, staticError);
    router.use((req, res, next) => this.page(req, res, next));
    return router;
  }

  /** A client route: index.html, whatever the path (the app reads it); server paths get their 404. */
  private page(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (isApiPath(req.path)) return apiNotFound(req, res);
    if (isServerPath(req.path)) return notFound(res);
    this.sendPage(res, next);
  }

  /**
   * index.html with its headers, for a server route that hands the browser to the app (the OAuth
   * consent step of GET /oauth/authorize, as Mattermost serves root.html there).
   */
  sendPage(res: Response, next: NextFunction): void {
    readFile(join(this.dir, 'index.html'))
      .then((html) => {
        res.status(200).set(documentHeaders(this.config.get())).type('html').send(html);
      })
      .catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') return next(err);
        this.warnMissing();
        res
          .status(404)
          .set('Cache-Control', 'no-store')
          .type('text')
          .send(`The web app is not built on this node: ${join(this.dir, 'index.html')} is missing. Run \`npm run build\`. The API is at /api/v4.\n`);
      });
  }

  private warnMissing(): void {
    if (this.warned) return;
    this.warned = true;
    this.log.warn(`no web app at ${this.dir} (run npm run build); pages answer 404`);
  }
}

/** Only GET and HEAD read files; other methods fall through to the server's 404. */
function readOnly(req: Request, _res: Response, next: NextFunction): void {
  next(req.method === 'GET' || req.method === 'HEAD' ? undefined : 'router');
}

function notIndex(req: Request, res: Response, next: NextFunction): void {
  if (req.path === '/index.html') return notFound(res);
  next();
}

function notFound(res: Response): void {
  res.status(404).set('Cache-Control', 'no-store').type('text').send('Not found\n');
}

/** serve-static's errors (a missing file is a 404 with fallthrough off) as plain answers. */
function staticError(err: { status?: number; statusCode?: number }, _req: Request, res: Response, next: NextFunction): void {
  const status = err.status ?? err.statusCode ?? 500;
  if (status >= 500) return next(err);
  res
    .status(status)
    .set('Cache-Control', 'no-store')
    .type('text')
    .send(status === 404 ? 'Not found\n' : 'Bad request\n');
}
