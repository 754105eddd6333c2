import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import { ConfigService } from '#config';
import type { ApiRequest } from '../common/request.js';
import { Metrics } from './metrics.js';

/**
 * mattermost_api_time and the request counters: every routed HTTP request, labelled with its
 * handler, its method and the status it was answered with (errors included: counted when the
 * answer is sent), and the database statements each request ran (mattermost_api_db_*, ours).
 * Mattermost labels with its handler functions' names (createPost); ours are the area and the
 * route method (`posts.create`), unique the same way.
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
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const handler = handlerName(context);
    res.once('finish', () => this.metrics.apiRequest(handler, req.method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9, req.dbStats));
    return next.handle();
  }
}

const names = new WeakMap<object, string>();

/** `posts.create` for PostsController.create (the area's controller, the route method), made once per route. */
function handlerName(context: ExecutionContext): string {
  const handler = context.getHandler();
  let name = names.get(handler);
  if (name === undefined) {
    const area = context.getClass().name.replace(/Controller$/, '');
    names.set(handler, (name = `${area.charAt(0).toLowerCase()}${area.slice(1)}.${handler.name}`));
  }
  return name;
}
