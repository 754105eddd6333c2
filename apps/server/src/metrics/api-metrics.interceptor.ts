import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import { ConfigService } from '#config';
import { Metrics } from './metrics.js';

/**
 * mattermost_api_time and the request counters: every routed HTTP request, labelled with its
 * handler, its method and the status it was answered with (errors included: counted when the
 * answer is sent). Mattermost labels with its handler functions' names (createPost); ours are the
 * area and the route method (`posts.create`), unique the same way.
 * Nothing is recorded while metrics are off.
 */
@Injectable()
export class ApiMetricsInterceptor implements NestInterceptor {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: ConfigService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || !this.config.get().MetricsSettings.Enable) return next.handle();
    const started = process.hrtime.bigint();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const handler = handlerName(context);
    res.once('finish', () => this.metrics.apiRequest(handler, req.method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    return next.handle();
  }
}

/** `posts.create` for PostsController.create (the area's controller, the route method). */
function handlerName(context: ExecutionContext): string {
  const area = context.getClass().name.replace(/Controller$/, '');
  return `${area.charAt(0).toLowerCase()}${area.slice(1)}.${context.getHandler().name}`;
}
