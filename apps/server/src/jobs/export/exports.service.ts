import { posix } from 'node:path';
import { Injectable } from '@nestjs/common';
import { notFound } from '#common';
import { ConfigService } from '#config';
import { FileStore } from '#storage';
import type { FileResponse } from '../../files/files.service.js';
import { contentDisposition, parseRange } from '../../files/mime.js';

/**
 * The bulk-export files the export_process job leaves in `ExportSettings.Directory` of the file
 * store (api4/export.go: listExports, downloadExport, deleteExport; the routes need manage_system).
 */
@Injectable()
export class ExportsService {
  constructor(
    private readonly config: ConfigService,
    private readonly files: FileStore,
  ) {}

  private dir(): string {
    return posix.normalize(this.config.get().ExportSettings.Directory || './export');
  }

  /** App.ListExports: the names of the .zip files, oldest first. */
  async list(): Promise<string[]> {
    const entries = await this.files.list(this.dir());
    return entries
      .filter((e) => !e.isDirectory && e.name.endsWith('.zip'))
      .sort((a, b) => a.modifiedAt - b.modifiedAt || a.name.localeCompare(b.name))
      .map((e) => e.name);
  }

  /** The file as http.ServeContent sends it: the whole zip, or the asked range (mmctl resumes a download with `Range: bytes=<offset>-`). */
  async download(name: string, range: string | undefined): Promise<FileResponse> {
    const path = posix.join(this.dir(), name);
    const stat = await this.files.stat(path);
    if (!stat) throw exportNotFound(name);
    const headers: Record<string, string> = {
      'Content-Type': 'application/zip',
      'Content-Disposition': contentDisposition(name, true),
      'Accept-Ranges': 'bytes',
      'Last-Modified': new Date(stat.modifiedAt).toUTCString(),
    };
    const r = parseRange(range, stat.size);
    if (r === 'unsatisfiable') return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${stat.size}`, 'Content-Length': '0' } };
    if (r === 'all') return { status: 200, headers: { ...headers, 'Content-Length': String(stat.size) }, body: await this.files.openReader(path) };
    return {
      status: 206,
      headers: { ...headers, 'Content-Length': String(r.end - r.start + 1), 'Content-Range': `bytes ${r.start}-${r.end}/${stat.size}` },
      body: await this.files.openReader(path, r),
    };
  }

  async delete(name: string): Promise<void> {
    const path = posix.join(this.dir(), name);
    if (!(await this.files.exists(path))) throw exportNotFound(name);
    await this.files.remove(path);
  }
}

function exportNotFound(name: string) {
  return notFound('api.export.export_not_found.app_error', 'Unable to find the export file.', `name=${name}`);
}
