import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { catchError, concatMap, from, mergeMap, Observable, throwError } from 'rxjs';
import { currentReadContext, Database, runWithReadContext } from '#db';
import type { ApiRequest } from '../common/request.js';

/**
 * Each API request runs in a read context (libs/db read-context.ts): its replica reads know
 * whose they are and whether the request has written. When it wrote, the user's read-your-writes
 * fence is set (and handed to the other nodes) before the response goes out, errors included
 * (a request can write and then fail). Nothing happens without replicas.
 */
@Injectable()
export class ReadRoutingInterceptor implements NestInterceptor {
  private readonly log = new Logger('database');

  constructor(private readonly db: Database) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const replicas = this.db.replicaSet;
    if (!replicas || context.getType() !== 'http') return next.handle();
    const userId = context.switchToHttp().getRequest<ApiRequest>().session?.user_id ?? '';
    return new Observable((subscriber) =>
      runWithReadContext(userId, () => {
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
      }),
    );
  }
}
