import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { mergeMap, type Observable } from 'rxjs';
import { ConfigService } from '#config';
import { clientAddress } from '../common/client-address.js';
import type { ApiRequest } from '../common/request.js';
import { AUDITED, type AuditDetail } from './audit.model.js';
import { AuditsService } from './audits.service.js';

/** Records the routes marked @Audited once their handler has succeeded (a failure records nothing). */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audits: AuditsService,
    private readonly config: ConfigService,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const detail = this.reflector.get<AuditDetail | undefined>(AUDITED, ctx.getHandler());
    if (detail === undefined) return next.handle();
    const req = ctx.switchToHttp().getRequest<ApiRequest>();
    return next.handle().pipe(
      mergeMap(async (result: unknown) => {
        const caller = {
          user_id: req.session?.user_id ?? req.auditUserId ?? '',
          session_id: req.session?.id ?? '',
          ip_address: clientAddress(req, this.config.get().ServiceSettings.TrustedProxyIPHeader),
        };
        await this.audits.record(caller, req.path, typeof detail === 'string' ? detail : detail(result, req));
        return result;
      }),
    );
  }
}
