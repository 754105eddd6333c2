import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Response } from 'express';
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
 *
 * A global guard that always lets the request through, registered after the authentication
 * guards (so it times what they let through, from the handler's point of view), rather than an
 * interceptor: it only needs the route and the answer's 'finish', and a route with any
 * interceptor at all runs Nest's Observable chain around its handler. bench:requests measured
 * the three global interceptors at +22 to +26 % of the server's CPU on the cheapest routes
 * (users.image, status.byIds, users.byIds, channels.view), and their move off the global chain
 * at -0.7 to -11.8 % (medians of paired rounds), 2026-12-07.
 */
@Injectable()
export class ApiMetricsGuard implements CanActivate {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: ConfigService,
  ) {}

  canActivate(context: ExecutionContext): true {
    if (context.getType() !== 'http' || !this.config.get().MetricsSettings.Enable) return true;
    const started = process.hrtime.bigint();
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const handler = handlerName(context);
    res.once('finish', () => this.metrics.apiRequest(handler, req.method, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9, req.dbStats));
    return true;
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
