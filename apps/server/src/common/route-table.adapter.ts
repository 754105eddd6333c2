import { ExpressAdapter } from '@nestjs/platform-express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import FindMyWay from 'find-my-way';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** Patterns the table takes: literal segments and whole-segment `:params`; anything else stays Express's. */
const PLAIN_PATTERN = /^(\/(:?[A-Za-z0-9_.-]+)?)+$/;

/** Where a route came from, for req.route (the local-mode guard reads its pattern). */
interface RouteStore {
  path: string;
}

/**
 * Nest's routes on Express, found in one lookup (issue 17). Express tries its routes one after
 * another, and this server has over 300: the router's walk was 8.6 % of the server's CPU in a
 * 1,600-user capacity hold (perf record, 2026-12-06), and a route registered late (POST
 * /users/status/ids, the second most asked) was tried against 160 patterns first. Here each
 * route Nest registers goes into a radix tree (find-my-way, Fastify's router) that sits at the
 * place of the first route in Express's stack, so the middlewares before it and the handlers after
 * it (the API's 404, the web app) keep their order.
 *
 * Express's matching rules are kept: case-insensitive, a trailing slash ignored, params decoded
 * (`%2F` included), HEAD answered by the GET route. Where two patterns both match, a literal
 * segment wins over a param (Express would take the one registered first); a pattern the tree
 * cannot hold, or a second route for the same method and pattern, stays with Express.
 */
export class RouteTableExpressAdapter extends ExpressAdapter {
  private readonly table = FindMyWay({ caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 8192 });
  private mounted = false;

  override get(...args: unknown[]): unknown {
    return this.route('GET', args);
  }

  override post(...args: unknown[]): unknown {
    return this.route('POST', args);
  }

  override put(...args: unknown[]): unknown {
    return this.route('PUT', args);
  }

  override delete(...args: unknown[]): unknown {
    return this.route('DELETE', args);
  }

  override patch(...args: unknown[]): unknown {
    return this.route('PATCH', args);
  }

  /** Into the table, or to Express as ExpressAdapter would (a one-argument app.get reads a setting). */
  private route(method: Method, args: unknown[]): unknown {
    const toExpress = () => (ExpressAdapter.prototype[method.toLowerCase() as Lowercase<Method>] as (...a: unknown[]) => unknown).apply(this, args);
    const [path, handler] = args;
    if (args.length !== 2 || typeof path !== 'string' || typeof handler !== 'function' || !PLAIN_PATTERN.test(path)) return toExpress();
    if (this.table.hasRoute(method, path)) return toExpress();
    this.table.on(method, path, handler as never, { path } satisfies RouteStore);
    if (!this.mounted) {
      this.mounted = true;
      this.instance.use((req: Request, res: Response, next: NextFunction) => this.dispatch(req, res, next));
    }
    return undefined;
  }

  private dispatch(req: Request, res: Response, next: NextFunction): void {
    const path = req.path;
    const found = this.table.find(req.method as Method, path) ?? (req.method === 'HEAD' ? this.table.find('GET', path) : null);
    if (!found) return next();
    req.params = found.params as Record<string, string>;
    (req as { route?: RouteStore }).route = found.store as RouteStore;
    try {
      (found.handler as unknown as RequestHandler)(req, res, next);
    } catch (err) {
      next(err);
    }
  }
}
