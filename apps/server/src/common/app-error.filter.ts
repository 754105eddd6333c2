import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from '#common';
import { ConfigService } from '#config';
import { RateLimitExceeded } from './rate-limit.js';
import { ApiRequest } from './request.js';

/** Maps Nest's own HTTP errors (unknown route, bad method) to Mattermost's error ids. */
function fromHttpException(err: HttpException): AppError {
  const status = err.getStatus();
  if (status === 404) return new AppError('', 'api.context.404.app_error', 'Sorry, we could not find the page.', 404);
  if (status === 405) return new AppError('', 'api.context.405.app_error', 'Method not allowed.', 405);
  if (status === 413) return new AppError('', 'api.context.request_body_too_large.app_error', 'The request body is too large.', 413);
  return new AppError('', 'api.context.invalid_param.app_error', err.message, status);
}

export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HttpException) return fromHttpException(err);
  return new AppError('', 'app.internal_error', 'An internal error occurred.', 500, String((err as Error)?.stack ?? err));
}

/** Every error leaves as Mattermost's AppError JSON (or the hardened-mode 500 body). */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('api');

  constructor(private readonly config: ConfigService) {}

  catch(err: unknown, host: ArgumentsHost) {
    const ctx = host.switchToHttp();
    this.send(err, ctx.getRequest<ApiRequest>(), ctx.getResponse<Response>());
  }

  /**
   * The same answer for an error an Express middleware passes on (`next(err)`) outside Nest's
   * handlers: mounted last on /api/v4, so that it never reaches Express's own final handler,
   * whose HTML page Client4 cannot read (it reports an empty message and no status code).
   */
  expressHandler() {
    return (err: unknown, req: Request, res: Response, _next: NextFunction) => this.send(err, req as ApiRequest, res);
  }

  private send(err: unknown, req: ApiRequest, res: Response): void {
    const appError = toAppError(err);
    appError.requestId = req.requestId ?? '';
    if (appError.statusCode >= 500) {
      this.logger.error(`${req.method} ${req.originalUrl} → ${appError.statusCode} ${appError.detailedError}`);
    }
    if (res.headersSent) return;
    if (err instanceof RateLimitExceeded) return err.send(res);
    const settings = this.config.get().ServiceSettings;
    if (appError.statusCode >= 500 && settings.ExperimentalEnableHardenedMode) {
      res.status(500).json({ message: 'Internal Server Error', status_code: 500 });
      return;
    }
    res.status(appError.statusCode).json(appError.toJSON(settings.EnableDeveloper));
  }
}
