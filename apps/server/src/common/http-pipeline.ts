import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { AppError, newId } from '#common';
import { ConfigService } from '#config';
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
    // Mattermost's clients compare Content-Type to exactly "application/json"; Express would
    // append "; charset=utf-8" and Client4 would then read the body as text.
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) =>
      setHeader(name, name.toLowerCase() === 'content-type' && value === 'application/json; charset=utf-8' ? 'application/json' : value);
    next();
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
 * JSON bodies up to MaximumPayloadSizeBytes. Bad JSON is a 400 and an oversized body a 413, both
 * as AppError JSON, before any handler runs (so nothing is half-written).
 */
export function jsonBody(config: ConfigService) {
  const limit = config.get().ServiceSettings.MaximumPayloadSizeBytes;
  const parse = express.json({ limit, strict: false, type: () => true });
  return [
    (req: Request, res: Response, next: NextFunction) => {
      // Mattermost reads bodies as JSON whatever the Content-Type; uploads (multipart, raw) are
      // left to their own handlers, and GET bodies are ignored.
      if (req.method === 'GET' || req.method === 'HEAD') return next();
      const type = req.headers['content-type'] ?? '';
      if (type.startsWith('multipart/') || type.startsWith('application/octet-stream')) return next();
      return parse(req, res, next);
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

/** Anything under /api/v4 that no controller answered. */
export function apiNotFound(req: Request, res: Response) {
  sendError(req, res, new AppError('', 'api.context.404.app_error', 'Sorry, we could not find the page.', 404));
}
