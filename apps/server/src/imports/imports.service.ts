import { posix } from 'node:path';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '#config';
import { FileStore } from '#storage';
import { PermissionsService } from '../auth/permissions.service.js';
import type { Session } from '../common/session.js';
import { INCOMPLETE_UPLOAD_SUFFIX } from '../uploads/upload-session.model.js';
import { importDirectory, importFileName } from './import-files.js';

/**
 * The import files waiting in ImportSettings.Directory (api4/import.go, app/import.go ListImports
 * and DeleteImport). They arrive through upload sessions of type "import" (POST /uploads, then
 * POST /uploads/{id}), and the import_process job reads one by name.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly config: ConfigService,
    private readonly store: FileStore,
    private readonly permissions: PermissionsService,
  ) {}

  private get directory(): string {
    return importDirectory(this.config.get().ImportSettings.Directory);
  }

  /** GET /imports: the names in the directory, but not uploads still under way (the ".tmp" suffix). */
  async list(session: Session): Promise<string[]> {
    this.permissions.requireSystem(session, 'manage_system');
    return (await this.store.list(this.directory))
      .filter((e) => !e.isDirectory && !e.name.endsWith(INCOMPLETE_UPLOAD_SUFFIX))
      .map((e) => e.name)
      .sort();
  }

  /** DELETE /imports/{name}: removes the file; one that is not there is no error (as Mattermost). */
  async delete(session: Session, name: string): Promise<void> {
    this.permissions.requireSystem(session, 'manage_system');
    await this.store.remove(posix.join(this.directory, importFileName(name)));
  }
}
