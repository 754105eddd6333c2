import { Body, Controller, Get, Post, Query, Req } from '@nestjs/common';
import { RequireSystemPermission } from '../auth/system-permission.guard.js';
import { Public } from '../common/decorators.js';
import type { ApiRequest } from '../common/request.js';
import { LOGS_PER_PAGE_DEFAULT, LOGS_PER_PAGE_MAX, LogsService } from './logs.service.js';

/** A non-negative integer, or the default (Mattermost's params.go ignores what it cannot read). */
const lenient = (value: unknown, fallback: number) => {
  const n = typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 0 ? n : fallback;
};

/** api4/system.go: GET /logs (the log file, for system admins) and POST /logs (clients' messages). */
@Controller()
export class LogsController {
  constructor(private readonly logs: LogsService) {}

  @Get('logs')
  @RequireSystemPermission('manage_system')
  async get(@Query() q: Record<string, unknown>) {
    const perPage = Math.min(lenient(q.logs_per_page, LOGS_PER_PAGE_DEFAULT), LOGS_PER_PAGE_MAX);
    return this.logs.page(lenient(q.page, 0), perPage);
  }

  /** Mattermost's APIHandler: no session needed (the service decides by EnableDeveloper). */
  @Public()
  @Post('logs')
  postLog(@Body() body: unknown, @Req() req: ApiRequest) {
    // Mattermost decodes a map of strings and logs whatever it got (nothing, on a bad body).
    const m: Record<string, string> = {};
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      for (const [k, v] of Object.entries(body)) if (typeof v === 'string') m[k] = v;
    }
    return this.logs.clientMessage(req.session, m, String(req.headers['user-agent'] ?? ''));
  }
}
