import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import busboy from 'busboy';
import { badRequest, forbidden, invalidParam, invalidUrlParam, isValidId, notFound, permissionDenied } from '#common';
import { ConfigService } from '#config';
import { FileStore } from '#storage';
import { PermissionsService } from '../auth/permissions.service.js';
import { PostAccess } from '../posts/post-access.service.js';
import { decodeLimits } from '../common/images.js';
import type { Session } from '../common/session.js';
import { FileInfoRow, fileInfoView, FileInfoView, inPostOrder } from './file-info.model.js';
import { FileInfosRepository } from './file-infos.repository.js';
import { cutOff, FileIntake, tooLarge } from './file-intake.service.js';
import { contentDisposition, parseRange, servedAs } from './mime.js';

/** An upload request: its headers, its body as a stream, and the query of the raw-body form. */
export interface UploadRequest {
  headers: IncomingHttpHeaders;
  body: Readable;
  query: { channel_id?: string; filename?: string };
}

export interface FileResponse {
  status: number;
  headers: Record<string, string>;
  body?: Readable;
}

export type FileKind = 'file' | 'thumbnail' | 'preview';

export const fileNotFound = (id: string) => notFound('app.file_info.get.app_error', 'Unable to get the file info.', `file_id=${id}`);

/**
 * Attachments (api4/file.go, app/file.go): uploads streamed into the file store, with a FileInfo
 * row written only once every file of the request is whole; images get their thumbnail, preview
 * and mini preview at upload; downloads stream from the store to channel members.
 */
@Injectable()
export class FilesService {
  constructor(
    private readonly repo: FileInfosRepository,
    private readonly store: FileStore,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly posts: PostAccess,
    private readonly intake: FileIntake,
  ) {}

  /** POST /files: multipart (channel_id, then files and client_ids) or a raw body with ?channel_id=&filename=. */
  async upload(session: Session, req: UploadRequest): Promise<{ file_infos: FileInfoView[]; client_ids: string[] }> {
    const settings = this.config.get().FileSettings;
    if (!settings.EnableFileAttachments) {
      throw forbidden('api.file.attachments.disabled.app_error', 'File attachments have been disabled on this server.');
    }
    const max = settings.MaxFileSize;
    const length = Number(req.headers['content-length'] ?? 0);
    const multipart = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
    // The raw form's body is the file: a declared length over the limit is refused before reading.
    if (!multipart && length > max) throw tooLarge(max);
    const written: FileInfoRow[] = [];
    let clientIds: string[] = [];
    try {
      if (multipart) clientIds = await this.receiveMultipart(session, req, max, written);
      else await this.receiveRaw(session, req, max, written);
      if (written.length === 0) throw invalidParam('files');
      if (clientIds.length > 0 && clientIds.length !== written.length) {
        throw badRequest(
          'api.file.upload_file.incorrect_number_of_client_ids.app_error',
          'Unable to upload files: the number of client_ids does not match the files.',
        );
      }
      for (const row of written) await this.intake.addImageData(row, decodeLimits(settings));
      await this.repo.insertAll(written);
    } catch (err) {
      // Whole or nothing: files already stored for this request go too.
      for (const row of written) await this.intake.discard(row);
      throw err;
    }
    this.intake.committed(written);
    return { file_infos: written.map(fileInfoView), client_ids: clientIds };
  }

  /**
   * GET /posts/{id}/files/info: the files of a post the caller may read (getFileInfosForPost);
   * a deleted post is 404 unless include_deleted, and then its files come too.
   */
  async forPost(session: Session, postId: string, includeDeleted: boolean): Promise<FileInfoView[]> {
    const { post } = await this.posts.readablePost(session, postId, includeDeleted);
    return inPostOrder(await this.repo.forPost(postId, includeDeleted), post.file_ids).map(fileInfoView);
  }

  async info(session: Session, id: string): Promise<FileInfoView> {
    return fileInfoView(await this.readable(session, id));
  }

  /** GET /files/{id}, /thumbnail, /preview: the bytes as a stream, with Mattermost's headers and Range support. */
  async download(session: Session, id: string, kind: FileKind, opts: { range?: string; forceDownload: boolean }): Promise<FileResponse> {
    return this.serve(await this.readable(session, id), kind, opts);
  }

  /** A file's bytes (or its thumbnail or preview) as a response, whoever was let through (also public links). */
  async serve(info: FileInfoRow, kind: FileKind, opts: { range?: string; forceDownload: boolean }): Promise<FileResponse> {
    const id = info.id;
    let path = info.path;
    let mimeType = info.mime_type;
    if (kind === 'thumbnail' || kind === 'preview') {
      path = kind === 'thumbnail' ? info.thumbnail_path : info.preview_path;
      if (!path) {
        throw badRequest(`api.file.get_file_${kind}.no_${kind}.app_error`, `File doesn't have a ${kind} image.`, `file_id=${id}`);
      }
      mimeType = 'image/jpeg';
    }
    const stat = await this.store.stat(path);
    if (!stat) throw notFound('api.file.no_file.app_error', 'Unable to find the file in the store.', `file_id=${id}`);
    const served = servedAs(mimeType, opts.forceDownload);
    const headers: Record<string, string> = {
      'Content-Type': served.contentType,
      'Content-Disposition': contentDisposition(kind === 'file' ? info.name : `${info.name.replace(/\.[^.]*$/, '')}_${kind}.jpg`, served.attachment),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "Frame-ancestors 'none'",
      'Cache-Control': 'max-age=2592000, private',
      'Last-Modified': new Date(info.update_at).toUTCString(),
      'Accept-Ranges': 'bytes',
    };
    const range = parseRange(opts.range, stat.size);
    if (range === 'unsatisfiable') return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${stat.size}`, 'Content-Length': '0' } };
    if (range === 'all') {
      return { status: 200, headers: { ...headers, 'Content-Length': String(stat.size) }, body: await this.store.openReader(path) };
    }
    return {
      status: 206,
      headers: { ...headers, 'Content-Length': String(range.end - range.start + 1), 'Content-Range': `bytes ${range.start}-${range.end}/${stat.size}` },
      body: await this.store.openReader(path, range),
    };
  }

  /**
   * A file the caller may read: its creator, or whoever may read its channel's content
   * (Mattermost's getFile). A deleted file (its post deleted) is gone: 404.
   */
  async readable(session: Session, id: string): Promise<FileInfoRow> {
    const info = await this.repo.byId(id);
    if (!info || info.delete_at !== 0) throw fileNotFound(id);
    if (info.creator_id === session.user_id) return info;
    if (!(await this.permissions.hasChannel(session, info.channel_id, 'read_channel_content'))) throw permissionDenied('read_channel_content');
    return info;
  }

  private async requireUploadPermission(session: Session, channelId: string | undefined): Promise<string> {
    if (!channelId || !isValidId(channelId)) throw invalidUrlParam('channel_id');
    if (!(await this.permissions.hasChannel(session, channelId, 'upload_file'))) throw permissionDenied('upload_file');
    return channelId;
  }

  private async receiveRaw(session: Session, req: UploadRequest, max: number, written: FileInfoRow[]): Promise<void> {
    const channelId = await this.requireUploadPermission(session, req.query.channel_id);
    if (!req.query.filename) throw invalidUrlParam('filename');
    written.push(await this.intake.storeStream(session.user_id, channelId, req.query.filename, req.body, max));
  }

  /**
   * Streams each part of a multipart body into the store as it arrives. Parts are handled one
   * after the other (a part is not read before the previous one is stored), so busboy's
   * backpressure holds the socket instead of memory. channel_id must come before the files, as
   * Mattermost requires, since the permission is checked before a byte is stored.
   */
  private receiveMultipart(session: Session, req: UploadRequest, max: number, written: FileInfoRow[]): Promise<string[]> {
    const clientIds: string[] = [];
    let channelId: string | undefined;
    let failure: unknown;
    let current: Readable | undefined;
    let chain = Promise.resolve();
    const enqueue = (task: () => Promise<void>, onSkip?: () => void) => {
      chain = chain.then(async () => {
        if (failure !== undefined) return onSkip?.();
        try {
          await task();
        } catch (err) {
          failure ??= err;
          onSkip?.();
        }
      });
    };
    let parser: busboy.Busboy;
    try {
      // busboy flags a part truncated once it reaches fileSize, even when it ends there: one byte
      // more lets a file of exactly MaxFileSize through ("larger than the limit" is refused, as in
      // Mattermost), and the intake refuses whatever goes past `max`.
      parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { fileSize: max + 1, fields: 1000, parts: 2000 } });
    } catch {
      return Promise.reject(badRequest('api.file.upload_file.multipart.app_error', 'Unable to parse the multipart upload.'));
    }
    return new Promise<string[]>((resolve, reject) => {
      let settled = false;
      const finish = (err?: unknown) => {
        if (settled) return;
        settled = true;
        if (err !== undefined) {
          failure ??= err;
          current?.destroy(err instanceof Error ? err : new Error(String(err)));
          req.body.unpipe(parser);
          req.body.resume();
        }
        void chain.then(() => (failure !== undefined ? reject(failure) : resolve(clientIds)));
      };
      parser.on('field', (name, value) => {
        if (name === 'channel_id') {
          enqueue(async () => {
            channelId = await this.requireUploadPermission(session, value);
          });
        } else if (name === 'client_ids') clientIds.push(value);
      });
      parser.on('file', (name, stream, info) => {
        if (name !== 'files') {
          stream.resume();
          return;
        }
        enqueue(
          async () => {
            if (!channelId) {
              throw badRequest('api.file.upload_file.multipart.app_error', 'Unable to upload the file(s): channel_id must come before the files.');
            }
            current = stream;
            written.push(await this.intake.storeStream(session.user_id, channelId, info.filename ?? '', stream, max));
            current = undefined;
          },
          () => stream.resume(),
        );
      });
      parser.on('error', (err) => finish(badRequest('api.file.upload_file.multipart.app_error', 'Unable to parse the multipart upload.', String(err))));
      parser.on('close', () => finish());
      req.body.on('aborted', () => finish(cutOff()));
      req.body.on('error', () => finish(cutOff()));
      req.body.pipe(parser);
    });
  }
}
