import { ServerResponse } from 'node:http';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { AppError, findJsonInputProblem, JsonInputProblem, newId } from '#common';
import { ConfigService } from '#config';
import { plainUtf8Body, readJsonBody } from './json-body-reader.js';
import { ApiRequest } from './request.js';

export const SERVER_VERSION = '10.11.0';
export const BUILD_NUMBER = '1';

/** X-Version-ID: `<version>.<build>.<client config hash>.<licensed>`; clients watch it for changes. */
export function versionId(config: ConfigService): string {
  return `${SERVER_VERSION}.${BUILD_NUMBER}.${config.hash()}.false`;
}

/** Headers Mattermost puts on every response, plus a fresh request id. */
export function responseHeaders(config: ConfigService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const apiReq = req as ApiRequest;
    apiReq.requestId = newId();
    res.setHeader('X-Request-ID', apiReq.requestId);
    res.setHeader('X-Version-ID', versionId(config));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (req.method === 'GET') res.setHeader('Expires', '0');
    next();
  };
}

const JSON_WITH_CHARSET = 'application/json; charset=utf-8';

/**
 * Mattermost's clients compare Content-Type to exactly "application/json"; Express's res.json
 * would send "application/json; charset=utf-8" and Client4 would then read the body as text.
 * Set once on the app's response prototype, which every response of the app inherits from (a
 * wrapper made per request cost a closure and a bound function for each).
 */
export function exactJsonContentType(app: { response: ServerResponse }): void {
  const setHeader = ServerResponse.prototype.setHeader;
  app.response.setHeader = function (this: ServerResponse, name: string, value: number | string | readonly string[]) {
    return setHeader.call(this, name, value === JSON_WITH_CHARSET && name.toLowerCase() === 'content-type' ? 'application/json' : value);
  };
}

function sendError(req: Request, res: Response, err: AppError) {
  err.requestId = (req as ApiRequest).requestId ?? '';
  res.status(err.statusCode).json(err.toJSON(false));
}

/** 414 for URLs beyond ServiceSettings.MaximumURLLength. */
export function urlLengthLimit(config: ConfigService) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.originalUrl.length > config.get().ServiceSettings.MaximumURLLength) {
      return sendError(req, res, new AppError('', 'api.context.url_too_long.app_error', 'The request URL is too long.', 414));
    }
    next();
  };
}

/**
 * 400 for a URL whose path or query decodes to a NUL: PostgreSQL refuses U+0000 in any text it
 * is given (a username lookup or an autocomplete term with one answered 500). A NUL can only
 * come from `%00`, raw control bytes never get past Node's HTTP parser.
 */
export function urlWithoutNul() {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.originalUrl.includes('%00')) {
      return sendError(
        req,
        res,
        new AppError('', 'api.context.invalid_url_param.app_error', 'Invalid parameter in request URL.', 400, 'contains a NUL character (%00)'),
      );
    }
    next();
  };
}

/** The 400 for a body that findJsonInputProblem refuses, naming the field at fault. */
export function bodyProblemError(problem: JsonInputProblem): AppError {
  const field = problem.path || 'body';
  const id = 'api.context.invalid_body_param.app_error';
  switch (problem.kind) {
    case 'depth':
      return new AppError('', id, `Invalid ${field} in request body: nested more than ${problem.limit} levels deep.`, 400);
    case 'key':
      return new AppError('', id, `Invalid or missing ${field} in request body.`, 400, `the key "${problem.key}" is not allowed`);
    case 'text':
      return new AppError('', id, `Invalid or missing ${field} in request body.`, 400, 'contains a NUL character or an unpaired surrogate');
  }
}

/**
 * JSON bodies up to MaximumPayloadSizeBytes. Bad JSON is a 400 and an oversized body a 413, both
 * as AppError JSON, before any handler runs (so nothing is half-written). A parsed body is then
 * checked once for every route (json-input.ts): too deep, a key that reaches a prototype, or text
 * PostgreSQL cannot store is a 400 before any handler merges, walks or stores it.
 */
/**
 * The form bodies of the browser sign-in routes (the SAML POST binding sends SAMLResponse and
 * RelayState as application/x-www-form-urlencoded), capped like JSON bodies.
 */
export function formBody(config: ConfigService) {
  return express.urlencoded({ extended: false, limit: config.get().ServiceSettings.MaximumPayloadSizeBytes, parameterLimit: 20 });
}

/**
 * POSTs whose body is a file's bytes whatever type the client names, left to their handlers:
 * POST /files?channel_id=&filename= (the raw-body upload) and POST /uploads/{id} (a chunk of a
 * resumable upload, raw or multipart).
 */
const FILE_BODY_ROUTES: Array<{ path: RegExp; when?: (req: Request) => boolean }> = [
  { path: /^\/api\/v4\/files$/, when: (req) => req.query.filename !== undefined },
  { path: /^\/api\/v4\/uploads\/[^/]+$/ },
];

function isFileBody(req: Request): boolean {
  if (req.method !== 'POST') return false;
  const path = req.originalUrl.split('?')[0];
  return FILE_BODY_ROUTES.some((r) => r.path.test(path) && (r.when?.(req) ?? true));
}

export function jsonBody(config: ConfigService) {
  const limit = config.get().ServiceSettings.MaximumPayloadSizeBytes;
  const parse = express.json({ limit, strict: false, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      // Mattermost reads bodies as JSON whatever the Content-Type; uploads (multipart, raw) are
      // left to their own handlers, and GET bodies are ignored.
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      const type = req.headers['content-type'] ?? '';
      // application/x-pem-file: an IdP certificate as Client4.setSamlIdpCertificateFromMetadata sends it.
      if (type.startsWith('multipart/') || type.startsWith('application/octet-stream') || type.startsWith('application/x-pem-file')) return next();
      if (isFileBody(req)) return next();
      if (!plainUtf8Body(req)) return parse(req, res, next);
      readJsonBody(req, limit, (err, body) => {
        if (err) return next(err);
        if (body !== undefined) req.body = body;
        next();
      });
    },
    (req: Request, res: Response, next: NextFunction) => {
      const problem = req.body === undefined ? undefined : findJsonInputProblem(req.body);
      if (problem) return sendError(req, res, bodyProblemError(problem));
      next();
    },
    (err: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') {
        return sendError(req, res, new AppError('', 'api.context.request_body_too_large.app_error', 'The request body is too large.', 413));
      }
      if (err?.status && err.status < 500) {
        return sendError(req, res, new AppError('', 'api.context.invalid_body_param.app_error', 'Invalid or malformed JSON in request body.', 400));
      }
      next(err);
    },
  ];
}

/**
 * The raw body of POST /hooks/{id}, whatever its type (the handler decodes JSON or a form's
 * `payload`), up to MaximumPayloadSizeBytes: past it a 413, as for JSON bodies. A body that cannot
 * be read (a broken or unknown Content-Encoding) is a 400.
 */
export function webhookBody(config: ConfigService) {
  const parse = express.raw({ limit: config.get().ServiceSettings.MaximumPayloadSizeBytes, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => (req.method === 'POST' ? parse(req, res, next) : next()),
    (err: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
      if (err?.type === 'entity.too.large') {
        return sendError(req, res, new AppError('', 'api.context.request_body_too_large.app_error', 'The request body is too large.', 413));
      }
      if (err?.status && err.status < 500) {
        return sendError(
          req,
          res,
          new AppError('', 'model.incoming_hook.parse_data.app_error', 'Unable to parse incoming data.', 400, 'the body could not be read'),
        );
      }
      next(err);
    },
  ];
}

/** Anything under /api/v4 that no controller answered. */
export function apiNotFound(req: Request, res: Response) {
  sendError(req, res, new AppError('', 'api.context.404.app_error', 'Sorry, we could not find the page.', 404));
}
