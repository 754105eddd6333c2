import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { catchError, concatMap, from, mergeMap, Observable, throwError } from 'rxjs';
import { ConfigService } from '#config';
import { currentReadContext, Database, runWithReadContext, type RequestDbStats } from '#db';
import type { ApiRequest } from '../common/request.js';

/**
 * Each API request runs in a read context (libs/db read-context.ts): its replica reads know
 * whose they are and whether the request has written, and with MetricsSettings.Enable and
 * EnableStatementCounts on it counts the request's statements (req.dbStats, which the API metrics
 * record by handler). When it wrote, the user's read-your-writes fence is set (and handed to the
 * other nodes) before the response goes out, errors included (a request can write and then
 * fail). Without replicas or statement counts nothing happens.
 */
@Injectable()
export class ReadRoutingInterceptor implements NestInterceptor {
  private readonly log = new Logger('database');

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const replicas = this.db.replicaSet;
    const { Enable, EnableStatementCounts } = this.config.get().MetricsSettings;
    const counting = Enable && EnableStatementCounts;
    if (!replicas && !counting) return next.handle();
    const req = context.switchToHttp().getRequest<ApiRequest>();
    const userId = req.session?.user_id ?? '';
    let stats: RequestDbStats | undefined;
    if (counting) req.dbStats = stats = { queries: 0, ms: 0 };
    if (!replicas) return new Observable((subscriber) => runWithReadContext(userId, () => next.handle().subscribe(subscriber), stats));
    return new Observable((subscriber) =>
      runWithReadContext(
        userId,
        () => {
          const ctx = currentReadContext()!;
          const fence = async () => {
            ctx.answered = true;
            if (!ctx.wrote || !userId) return;
            await replicas.recordWrite(userId).catch((err: unknown) => this.log.warn(`read-your-writes fence for ${userId}: ${(err as Error).message}`));
          };
          return next
            .handle()
            .pipe(
              concatMap(async (value) => {
                await fence();
                return value;
              }),
              catchError((err: unknown) => from(fence()).pipe(mergeMap(() => throwError(() => err)))),
            )
            .subscribe(subscriber);
        },
        stats,
      ),
    );
  }
}
