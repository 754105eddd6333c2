import { Controller, Delete, Get, Param, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { invalidUrlParam } from '#common';
import { RequireSystemPermission } from '../../auth/system-permission.guard.js';
import { TrustRequester } from '../../common/decorators.js';
import type { ApiRequest } from '../../common/request.js';
import { sendFileResponse } from '../../files/send-file.js';
import { ExportsService } from './exports.service.js';

/**
 * A file name in the export folder: api4's `{export_name:.+\.zip}`, one path segment, and no
 * longer than a file name can be (255 bytes): the disk would answer ENAMETOOLONG, a 500.
 */
function exportName(value: string): string {
  if (!/^[^/\\\0]+\.zip$/.test(value) || value.startsWith('.') || Buffer.byteLength(value) > 255) throw invalidUrlParam('export_name');
  return value;
}

/** api4/export.go: the export_process job's zips (mmctl export list/download/delete). */
@Controller('exports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @RequireSystemPermission('manage_system')
  @Get()
  list() {
    return this.exports.list();
  }

  @RequireSystemPermission('manage_system')
  @TrustRequester()
  @Get(':export_name')
  async download(@Param('export_name') name: string, @Req() req: ApiRequest, @Res() res: Response) {
    sendFileResponse(res, await this.exports.download(exportName(name), req.headers.range));
  }

  @RequireSystemPermission('manage_system')
  @Delete(':export_name')
  async delete(@Param('export_name') name: string) {
    await this.exports.delete(exportName(name));
    return { status: 'OK' };
  }
}
