import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { AppError, invalidUrlParam } from '#common';
import { CurrentSession } from '../common/decorators.js';
import { pagination, urlId } from '../common/params.js';
import type { Session } from '../common/session.js';
import { ALL_JOB_TYPES, parseCreateJob } from './job.model.js';
import { JobsService } from './jobs.service.js';

const OK = { status: 'OK' };
// api4/job.go's route patterns: an id is alphanumeric, a type also takes '_' and '-'.
const ID_ROUTE = /^[A-Za-z0-9]+$/;
const TYPE_ROUTE = /^[A-Za-z0-9_-]+$/;
const routeNotFound = () => new AppError('', 'api.context.404.app_error', 'Sorry, we could not find the page.', 404);

/** api4/job.go. */
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get()
  async list(@Query() query: Record<string, string>, @CurrentSession() s: Session) {
    const type = typeof query.job_type === 'string' ? query.job_type : '';
    if (type && !ALL_JOB_TYPES.includes(type)) throw invalidUrlParam('job_type');
    const status = typeof query.status === 'string' ? query.status : '';
    const { page, perPage } = pagination(query);
    return this.jobs.list(s, type || undefined, status || undefined, page, perPage);
  }

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @CurrentSession() s: Session) {
    const { type, data } = parseCreateJob(body);
    return this.jobs.create(s, type, data);
  }

  @Get('type/:job_type')
  async byType(@Param('job_type') type: string, @Query() query: Record<string, string>, @CurrentSession() s: Session) {
    if (!TYPE_ROUTE.test(type)) throw routeNotFound();
    if (type.length > 32) throw invalidUrlParam('job_type');
    const { page, perPage } = pagination(query);
    return this.jobs.list(s, type, undefined, page, perPage);
  }

  @Get(':job_id')
  async get(@Param('job_id') id: string, @CurrentSession() s: Session) {
    return this.jobs.get(s, jobId(id));
  }

  @Post(':job_id/cancel')
  async cancel(@Param('job_id') id: string, @CurrentSession() s: Session) {
    await this.jobs.cancel(s, jobId(id));
    return OK;
  }
}

function jobId(value: string): string {
  if (!ID_ROUTE.test(value)) throw routeNotFound();
  return urlId(value, 'job_id');
}
