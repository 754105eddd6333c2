import { closeSync, createReadStream, existsSync, openSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import type { MmctlClient as Client4Type } from '../context.js';
import type { Job } from '@mattermost/types/jobs';
import { intOption, withClient } from '../command.js';
import { CliError } from '../errors.js';
import { printer } from '../printer.js';
import { jobListOptions, listJobs, printJob } from './jobs.js';

/** The route Client4 lacks, over Client4's auth and error handling. */
function route(c: Client4Type, path: string): string {
  return `${c.getBaseRoute()}${path}`;
}

/**
 * mmctl export download: streamed to the file (Client4 would read the whole zip into memory, so
 * this is a plain fetch with Client4's headers), resumed with a Range request after a broken
 * connection (--num-retries); an existing non-empty file is never overwritten.
 */
async function download(c: Client4Type, name: string, path: string, retries: number): Promise<void> {
  let created = false;
  try {
    if (statSync(path).size > 0) throw new CliError('export file already exists');
  } catch (err) {
    if (err instanceof CliError) throw err;
    created = true;
  }
  const fd = openSync(path, created ? 'w' : 'r+', 0o600);
  let offset = 0;
  let ok = false;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await fetch(
          route(c, `/exports/${encodeURIComponent(name)}`),
          c.getOptions({ method: 'get', headers: offset > 0 ? { Range: `bytes=${offset}-` } : {} }) as RequestInit,
        );
        if (!response.ok) throw await serverError(response);
        if (!response.body) break;
        for await (const chunk of Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)) {
          const buf = chunk as Buffer;
          offset += writeSync(fd, buf, 0, buf.length, offset);
        }
        break;
      } catch (err) {
        if (attempt >= retries || (err as { status_code?: number }).status_code) throw err;
        printer.warn(`Download attempt ${attempt + 1}/${retries + 1} failed. Retrying...`);
      }
    }
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok && created) unlinkSync(path);
  }
}

/** An AppError answer as Client4 reports one. */
async function serverError(response: Response): Promise<Error> {
  const body = (await response.json().catch(() => ({}))) as { message?: string; id?: string; status_code?: number };
  return Object.assign(new Error(body.message || `the server answered ${response.status}`), {
    server_error_id: body.id ?? '',
    status_code: body.status_code ?? response.status,
  });
}

export function exportCommand(): Command {
  const exp = new Command('export').description('Management of exports');

  exp
    .command('create')
    .description('Create export file (an export_process job; the zip lands in ExportSettings.Directory of the file store)')
    .option('--no-attachments', 'Exclude file attachments from the export file.')
    .action(
      withClient(async ({ client }, o) => {
        printer.single = true;
        const data: Record<string, string> = {};
        if (o.attachments !== false) data.include_attachments = 'true';
        const job = await client.call<Job>('post', '/jobs', { body: { type: 'export_process', data } });
        printer.print(`Export process job successfully created, ID: ${job.id}`, job);
      }),
    );

  exp
    .command('list')
    .alias('ls')
    .description('List export files')
    .action(
      withClient(async ({ client }) => {
        const names = await client.call<string[]>('get', '/exports');
        if (names.length === 0) return printer.print('No export files found', undefined);
        for (const n of names) printer.print(n);
      }),
    );

  exp
    .command('download')
    .description('Download export files')
    .argument('<exportname>')
    .argument('[filepath]', 'where to write it (default: the export name)')
    .option('--num-retries <n>', 'Number of retries to do to resume a download.', intOption, 5)
    .action(
      withClient(async ({ client }, o, name: string, file: string | undefined) => {
        printer.single = true;
        const path = file || basename(name);
        await download(client, name, path, o.numRetries as number);
        printer.print(`Export file downloaded to "${path}"`, { name, path: resolve(path) });
      }),
    );

  exp
    .command('delete')
    .alias('rm')
    .description('Delete export file')
    .argument('<exportname>')
    .action(
      withClient(async ({ client }, _o, name: string) => {
        printer.single = true;
        await client.call('delete', `/exports/${encodeURIComponent(name)}`);
        printer.print(`Export file "${name}" has been deleted`, { name, deleted: true });
      }),
    );

  const job = exp.command('job').description('List, show and cancel export jobs');
  jobListOptions(job.command('list').alias('ls').description('List export jobs'), 200).action(
    withClient(async ({ client }, o) => listJobs(client, o, 'export_process', undefined)),
  );
  job
    .command('show')
    .description('Show export job')
    .argument('<exportJobID>')
    .action(withClient(async ({ client }, _o, id: string) => printJob(await client.getJob(id))));
  job
    .command('cancel')
    .description('Cancel export job')
    .argument('<exportJobID>')
    .action(
      withClient(async ({ client }, _o, id: string) => {
        await client.cancelJob((await client.getJob(id)).id);
      }),
    );
  return exp;
}

interface UploadSession {
  id: string;
  filename: string;
  file_size: number;
  file_offset: number;
  type: string;
}

export function importCommand(): Command {
  const imp = new Command('import').description('Management of imports');

  imp
    .command('upload')
    .description('Upload import files (a resumable upload of type import: POST /uploads, then its data)')
    .argument('<filepath>')
    .option('--resume', 'Set to true to resume an incomplete import upload.')
    .option('--upload <id>', 'The ID of the import upload to resume.')
    .action(
      withClient(async ({ client, local }, o, file: string) => {
        if (local) {
          printer.warn(
            "In --local mode, you don't need to upload the file to server any more. Directly use the import process command and pass the export file.",
          );
        }
        let size: number;
        try {
          size = statSync(file).size;
        } catch (err) {
          throw new CliError(`failed to open import file: ${(err as Error).message}`);
        }
        let us: UploadSession;
        if (o.resume) {
          if (!/^[a-z0-9]{26}$/.test(String(o.upload ?? ''))) throw new CliError('upload session ID is missing or invalid');
          us = await client.call<UploadSession>('get', `/uploads/${o.upload as string}`);
          if (us.file_size !== size) throw new CliError('file sizes do not match');
        } else {
          us = await client.call<UploadSession>('post', '/uploads', {
            body: { type: 'import', filename: basename(file), file_size: size, user_id: local ? 'nouser' : 'me' },
          });
          printer.print(`Upload session successfully created, ID: ${us.id} `, us);
        }
        const { data } = await client.api<{ id?: string; name?: string } | string>('post', `/uploads/${us.id}`, {
          headers: { 'Content-Type': 'application/octet-stream' },
          raw: Readable.toWeb(createReadStream(file, { start: us.file_offset ?? 0 })) as unknown as BodyInit,
        });
        // mmctl prints the FileInfo's id here, which no other command takes; the name printed is
        // the one `import list available` shows and `import process` takes (the server stores the
        // file as <upload id>_<file name>, api4/upload.go). --json prints the FileInfo, as mmctl.
        printer.print(`Import file successfully uploaded, name: ${us.id}_${us.filename}`, data || { id: us.id });
      }),
    );

  const list = imp.command('list').alias('ls').description('List import files');
  list
    .command('available')
    .description('List available import files')
    .action(
      withClient(async ({ client }) => {
        const names = await client.call<string[]>('get', '/imports');
        if (names.length === 0) return printer.print('No import files found', undefined);
        for (const n of names) printer.print(n);
      }),
    );
  list
    .command('incomplete')
    .description('List incomplete import files uploads')
    .action(
      withClient(async ({ client, local }) => {
        const uploads = await client.call<UploadSession[]>('get', `/users/${local ? 'nouser' : 'me'}/uploads`);
        const imports = uploads.filter((u) => u.type === 'import');
        if (imports.length === 0) return printer.print('No incomplete import uploads found', undefined);
        for (const u of imports) {
          const pct = u.file_size ? Math.round((u.file_offset / u.file_size) * 100) : 0;
          printer.print(`  ID: ${u.id}\n  Name: ${u.filename}\n  Uploaded: ${u.file_offset}/${u.file_size} (${pct}%)\n`, u);
        }
      }),
    );

  imp
    .command('process')
    .description('Start an import job (import_process) for an uploaded import file')
    .argument('<importname>')
    .option('--bypass-upload', 'Read the file directly from the server filesystem instead of the uploads. Works only in --local mode.')
    .option('--no-extract-content', 'Do not extract and index the content of document attachments.')
    .action(
      withClient(async ({ client, local }, o, name: string) => {
        printer.single = true;
        let importFile = name;
        if (o.bypassUpload && local) {
          // The server reads this path itself (the job's local_mode), so it must be whole and there.
          if (!existsSync(name)) {
            throw new CliError(
              `file ${name} doesn't exist. NOTE: If this file was uploaded to the server via mmctl import upload, please omit the --bypass-upload flag to revert to old behavior.`,
            );
          }
          importFile = resolve(name);
        } else if (o.bypassUpload) printer.warn('--bypass-upload has no effect in non-local mode.');
        const job = await client.call<Job>('post', '/jobs', {
          body: {
            type: 'import_process',
            data: { import_file: importFile, local_mode: String(!!(local && o.bypassUpload)), extract_content: String(o.extractContent !== false) },
          },
        });
        printer.print(`Import process job successfully created, ID: ${job.id}`, job);
      }),
    );

  const job = imp.command('job').description('List and show import jobs');
  jobListOptions(job.command('list').alias('ls').description('List import jobs'), 200).action(
    withClient(async ({ client }, o) => listJobs(client, o, 'import_process', undefined)),
  );
  job
    .command('show')
    .description('Show import job')
    .argument('<importJobID>')
    .action(withClient(async ({ client }, _o, id: string) => printJob(await client.getJob(id))));
  return imp;
}
