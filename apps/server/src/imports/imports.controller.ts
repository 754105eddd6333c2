import { Controller, Delete, Get, Param } from '@nestjs/common';
import { Audited } from '../audits/audited.js';
import { CurrentSession } from '../common/decorators.js';
import type { Session } from '../common/session.js';
import { ImportsService } from './imports.service.js';

/**
 * api4/import.go. There is no POST /imports in Mattermost: an import file is uploaded with an
 * upload session of type "import" (POST /uploads, POST /uploads/{upload_id}), as mmctl import upload does.
 */
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Get()
  async list(@CurrentSession() s: Session) {
    return this.imports.list(s);
  }

  @Delete(':import_name')
  @Audited((_r, req) => `import_name=${String(req.params.import_name)}`)
  async delete(@Param('import_name') name: string, @CurrentSession() s: Session) {
    await this.imports.delete(s, name);
    return { status: 'OK' };
  }
}
