import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { AppError, badRequest, forbidden, isValidId, newId, notFound, permissionDenied } from '#common';
import { decodeLimits } from '../common/images.js';
import { ConfigService } from '#config';
import { Database } from '#db';
import { FileStore, FileWriter } from '#storage';
import { PermissionsService } from '../auth/permissions.service.js';
import { ChannelsRepository } from '../channels/channels.repository.js';
import type { Session } from '../common/session.js';
import { isLocalSession } from '../local-mode/local-session.js';
import { fileFolder, FileInfoRow, fileInfoView, FileInfoView, plainFileName, storeSegment } from '../files/file-info.model.js';
import { FileInfosRepository } from '../files/file-infos.repository.js';
import { cutOff, FileIntake, newFileInfo } from '../files/file-intake.service.js';
import { chunkForm, ChunkRequest, chunkStream } from './chunk-body.js';
import { importDirectory } from '../imports/import-files.js';
import { sessionPartsFolder, UPLOAD_NO_USER_ID, UploadSessionRow, uploadSessionView, UploadSessionView } from './upload-session.model.js';
import { UploadSessionsRepository } from './upload-sessions.repository.js';

/** What POST /uploads takes (model.UploadSession as a client sends it). */
export interface NewUploadSession {
  channel_id: string;
  filename: string;
  file_size: number;
  type: string;
  /** Read only for a caller with no user (the local socket): whose the session is, "nouser" as mmctl --local sends. */
  user_id?: string;
}

/**
 * The first chunk must bring at least this much, unless it is the whole file (Mattermost's
 * minFirstPartSize, S3's smallest multipart part): a client that sends tiny first chunks is
 * told so at once, as by Mattermost.
 */
export const MIN_FIRST_PART = 5 * 1024 * 1024;
/** Mattermost's Filename column is varchar(256); a longer name is a 400 here, not a store error. */
const MAX_FILENAME = 256;

const attachmentsDisabled = () => new AppError('', 'api.file.attachments.disabled.app_error', 'File attachments have been disabled on this server.', 501);
const sessionNotFound = (id: string) => notFound('app.upload.get.app_error', 'Unable to find the upload.', `upload_id=${id}`);
const concurrent = () => badRequest('app.upload.upload_data.concurrent.app_error', 'Unable to upload data: another request is writing to this upload.');
const invalid = (field: string) => badRequest(`model.upload_session.is_valid.${field}.app_error`, `Invalid upload session: ${field.replace(/_/g, ' ')}.`);

/**
 * Resumable uploads (api4/upload.go, app/upload.go). A session names the file to come and its
 * size; chunks arrive in order, each appended at the session's offset. Every chunk is stored as a
 * part of its own (an S3 object cannot be appended to), whole-or-nothing through the store's
 * writer — except that a chunk cut off midway keeps the bytes that did arrive, as Mattermost does,
 * so the client reads the offset back and sends the rest. The last byte joins the parts into the
 * file, streaming, and the file comes in like any upload (FileIntake: image data, FileInfo row).
 */
@Injectable()
export class UploadsService {
  /** Sessions a request of this node is writing (Mattermost's uploadLockMap). */
  private readonly writing = new Set<string>();

  constructor(
    private readonly repo: UploadSessionsRepository,
    private readonly fileInfos: FileInfosRepository,
    private readonly channels: ChannelsRepository,
    private readonly permissions: PermissionsService,
    private readonly config: ConfigService,
    private readonly store: FileStore,
    private readonly intake: FileIntake,
    private readonly db: Database,
  ) {}

  /**
   * POST /uploads, in Mattermost's order: attachments on, upload_file in the channel, the size
   * limit (413), then the session's own checks and the channel (exists, not archived).
   */
  async create(session: Session, input: NewUploadSession): Promise<UploadSessionView> {
    const settings = this.config.get().FileSettings;
    if (!settings.EnableFileAttachments) throw attachmentsDisabled();
    if (input.type === 'import') return this.createImport(session, input);
    if (!(await this.mayUpload(session, input.channel_id))) throw permissionDenied('upload_file');
    if (input.file_size > settings.MaxFileSize) {
      throw new AppError(
        '',
        'api.upload.create.upload_too_large.app_error',
        'Unable to upload file. File is too large.',
        413,
        `channel_id=${input.channel_id}`,
      );
    }
    if (!isValidId(input.channel_id)) throw invalid('channel_id');
    if (input.filename === '' || input.filename.length > MAX_FILENAME) throw invalid('filename');
    if (!Number.isSafeInteger(input.file_size) || input.file_size <= 0) throw invalid('file_size');
    const owner = this.owner(session, input);
    const channel = await this.channels.byId(input.channel_id);
    if (!channel)
      throw badRequest('app.upload.create.incorrect_channel_id.app_error', 'Unable to upload: the channel does not exist.', `channel_id=${input.channel_id}`);
    if (channel.delete_at !== 0) {
      throw badRequest('app.upload.create.cannot_upload_to_deleted_channel.app_error', 'Unable to upload to an archived channel.', `channel_id=${channel.id}`);
    }
    const id = newId();
    const now = Date.now();
    return this.open({
      id,
      type: 'attachment',
      create_at: now,
      user_id: owner,
      channel_id: channel.id,
      filename: input.filename,
      // Mattermost's layout: the day, the channel, the user, then the upload's own folder.
      path: `${fileFolder(now, channel.id, owner, id)}/${storeSegment(plainFileName(input.filename))}`,
      file_size: input.file_size,
    });
  }

  /**
   * POST /uploads of type "import" (api4/upload.go createUpload): system admins only, no channel;
   * the file will be `<ImportSettings.Directory>/<upload id>_<file name>` in the store, where
   * GET /imports lists it and the import_process job reads it. MaxFileSize applies as to any upload.
   */
  private async createImport(session: Session, input: NewUploadSession): Promise<UploadSessionView> {
    this.permissions.requireSystem(session, 'manage_system');
    if (input.file_size > this.config.get().FileSettings.MaxFileSize) {
      throw new AppError('', 'api.upload.create.upload_too_large.app_error', 'Unable to upload file. File is too large.', 413);
    }
    // Mattermost keeps filepath.Base of the name; a name that is no file name at all is refused.
    const name = input.filename.split(/[\\/]/).pop() ?? '';
    // The file will be "<id>_<name>": it must fit in a file name (255 bytes; importFileName).
    if (name === '' || name === '.' || name === '..' || name.includes('\0') || input.filename.length > MAX_FILENAME || Buffer.byteLength(name) > 255 - 27) {
      throw invalid('filename');
    }
    if (!Number.isSafeInteger(input.file_size) || input.file_size <= 0) throw invalid('file_size');
    const owner = this.owner(session, input);
    const id = newId();
    return this.open({
      id,
      type: 'import',
      create_at: Date.now(),
      user_id: owner,
      channel_id: '',
      filename: name,
      path: posix.join(importDirectory(this.config.get().ImportSettings.Directory), `${id}_${name}`),
      file_size: input.file_size,
    });
  }

  /** Stores a new session with nothing received yet. */
  private async open(fields: Omit<UploadSessionRow, 'file_offset' | 'remote_id' | 'req_file_id' | 'parts'>): Promise<UploadSessionView> {
    const row: UploadSessionRow = { ...fields, file_offset: 0, remote_id: '', req_file_id: '', parts: [] };
    await this.repo.insert(row);
    return uploadSessionView(row);
  }

  /**
   * Whose a new session is: the caller's. A caller with no user (the local socket) names it in
   * the body, as api4/upload.go keeps the body's user_id when the session has none; it must be a
   * user id or "nouser" (model.UploadSession.IsValid), which is what mmctl --local sends.
   */
  private owner(session: Session, input: NewUploadSession): string {
    if (session.user_id) return session.user_id;
    const claimed = input.user_id ?? '';
    if (claimed === UPLOAD_NO_USER_ID || isValidId(claimed)) return claimed;
    throw invalid('user_id');
  }

  /** GET /uploads/{id}: its creator's, or a system admin's (api4/upload.go getUpload). */
  async get(session: Session, id: string): Promise<UploadSessionView> {
    const us = await this.repo.byId(id);
    if (!us) throw sessionNotFound(id);
    if (us.user_id !== session.user_id && !this.permissions.hasSystem(session, 'manage_system')) {
      throw forbidden('api.upload.get_upload.forbidden.app_error', 'You do not have permission to read this upload.');
    }
    return uploadSessionView(us);
  }

  /**
   * GET /users/{id}/uploads: one's own unfinished uploads only, whoever asks (api4/user.go
   * getUploadsForUser). Over the local socket anyone's, "nouser" included (api4/user_local.go
   * localGetUploadsForUser has no check): that is how mmctl --local import list incomplete
   * finds the uploads it made.
   */
  async forUser(session: Session, userId: string): Promise<UploadSessionView[]> {
    if (userId !== session.user_id && !isLocalSession(session)) {
      throw forbidden('api.user.get_uploads_for_user.forbidden.app_error', "You do not have permission to read this user's uploads.");
    }
    return (await this.repo.forUser(userId)).map(uploadSessionView);
  }

  /**
   * POST /uploads/{id}: appends the body at the offset. Undefined while the file is incomplete
   * (204), its FileInfo once the last byte is in. Only the session's creator, while they may
   * still upload to its channel; one request at a time.
   */
  async upload(session: Session, id: string, req: ChunkRequest): Promise<FileInfoView | undefined> {
    if (!this.config.get().FileSettings.EnableFileAttachments) throw attachmentsDisabled();
    const found = await this.repo.byId(id);
    if (!found) throw sessionNotFound(id);
    if (found.type === 'import') {
      // An import upload is any system admin's to continue (api4/upload.go uploadData).
      this.permissions.requireSystem(session, 'manage_system');
    } else if (found.user_id !== session.user_id || !(await this.mayUpload(session, found.channel_id))) throw permissionDenied('upload_file');
    const form = chunkForm(req.headers, found.file_size - found.file_offset);
    if (this.writing.has(id)) throw concurrent();
    this.writing.add(id);
    try {
      // Read again under the lock: a request that just ended may have moved the offset.
      const us = await this.repo.byId(id);
      if (!us) throw sessionNotFound(id);
      if (us.file_offset < us.file_size) await this.receive(us, await chunkStream(req, form));
      if (us.file_offset < us.file_size) return undefined;
      return us.type === 'import' ? await this.completeImport(us) : await this.complete(us);
    } finally {
      this.writing.delete(id);
    }
  }

  private async mayUpload(session: Session, channelId: string): Promise<boolean> {
    // A malformed id is no channel of anyone's: only a system-wide upload_file passes (then 400).
    if (!isValidId(channelId)) return this.permissions.hasSystem(session, 'upload_file');
    return this.permissions.hasChannel(session, channelId, 'upload_file');
  }

  /**
   * Stores the chunk as the next part and counts it. The bytes past the file's size are read and
   * dropped (Mattermost reads through a LimitedReader); a cut-off chunk keeps what arrived, except
   * a first chunk too small to stand as one.
   */
  private async receive(us: UploadSessionRow, body: Readable): Promise<void> {
    const name = `${String(us.file_offset).padStart(15, '0')}-${randomBytes(4).toString('hex')}`;
    const partPath = `${sessionPartsFolder(us)}/${name}`;
    const { written, cut } = await this.writePart(partPath, body, us.file_size - us.file_offset);
    if (us.file_offset === 0 && written < MIN_FIRST_PART && written !== us.file_size) {
      if (written > 0) await this.store.remove(partPath).catch(() => undefined);
      throw badRequest(
        'app.upload.upload_data.first_part_too_small.app_error',
        `Unable to upload: the first part must be at least ${MIN_FIRST_PART} bytes, or the whole file.`,
        `received=${written}`,
      );
    }
    if (written > 0) {
      if (!(await this.repo.addPart(us.id, us.file_offset, us.file_offset + written, name))) {
        await this.store.remove(partPath).catch(() => undefined);
        throw concurrent();
      }
      us.file_offset += written;
      us.parts.push(name);
    }
    if (cut) throw cutOff();
  }

  /** Streams up to `limit` bytes of `body` into a new part; a store failure leaves nothing. */
  private async writePart(path: string, body: Readable, limit: number): Promise<{ written: number; cut: boolean }> {
    const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    let writer: FileWriter | undefined;
    let written = 0;
    let cut = false;
    try {
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch {
          // The connection broke (the raw body's 'aborted', ChunkCutOff from a multipart part).
          cut = true;
          break;
        }
        if (next.done) break;
        const take = Math.min(next.value.length, limit - written);
        if (take <= 0) continue;
        writer ??= await this.store.openWriter(path);
        await writer.write(take === next.value.length ? next.value : next.value.subarray(0, take));
        written += take;
      }
      if (writer) await writer.commit();
    } catch (err) {
      await writer?.abort();
      body.resume();
      throw err;
    }
    return { written, cut };
  }

  /**
   * The last byte is in: the parts become the file (streamed, one part after the other), the
   * file gets its image data, and its FileInfo row replaces the session in one transaction. A
   * failure leaves the session (and its parts) for another try; the joined file goes again.
   */
  private async complete(us: UploadSessionRow): Promise<FileInfoView> {
    const row = newFileInfo(us.user_id, us.channel_id, us.filename);
    row.path = us.path;
    row.remote_id = us.remote_id;
    let finished: boolean;
    try {
      row.size = await this.join(us);
      await this.addImageData(row);
      finished = await this.db.transaction(async (tx) => {
        if (!(await this.repo.delete(tx, us.id))) return false;
        await this.fileInfos.insert(tx, row);
        return true;
      });
    } catch (err) {
      await this.discardFile(row);
      throw err;
    }
    // Another node finished this upload meanwhile (same bytes, same path): its file stays.
    if (!finished) throw sessionNotFound(us.id);
    await this.store.remove(sessionPartsFolder(us)).catch(() => undefined);
    // As for POST /files: the text of the file is read for search after the row is in.
    this.intake.committed([row]);
    return fileInfoView(row);
  }

  /**
   * The last byte of an import upload: the parts become the file in the import directory and the
   * session goes. Mattermost also stores a FileInfo row for it, with no channel and no post; here
   * none is stored (the data retention job would take such a row, and the file with it, for an
   * orphan), and the answer is the FileInfo the file would have.
   */
  private async completeImport(us: UploadSessionRow): Promise<FileInfoView> {
    const row = newFileInfo(us.user_id, '', us.filename);
    row.path = us.path;
    try {
      row.size = await this.join(us);
    } catch (err) {
      await this.store.remove(us.path).catch(() => undefined);
      throw err;
    }
    if (!(await this.db.transaction((tx) => this.repo.delete(tx, us.id)))) throw sessionNotFound(us.id);
    await this.store.remove(sessionPartsFolder(us)).catch(() => undefined);
    return fileInfoView(row);
  }

  private async join(us: UploadSessionRow): Promise<number> {
    const writer = await this.store.openWriter(us.path);
    try {
      const folder = sessionPartsFolder(us);
      for (const part of us.parts) {
        for await (const chunk of await this.store.openReader(`${folder}/${part}`)) await writer.write(chunk as Buffer);
      }
      const size = await writer.commit();
      if (size !== us.file_size) throw new Error(`upload ${us.id}: the parts hold ${size} bytes, the session ${us.file_size}`);
      return size;
    } catch (err) {
      await writer.abort();
      throw err;
    }
  }

  private async addImageData(row: FileInfoRow): Promise<void> {
    try {
      await this.intake.addImageData(row, decodeLimits(this.config.get().FileSettings));
    } catch (err) {
      // Mattermost names the resolution limit of a resumable upload with an id of its own.
      if (err instanceof AppError && err.id === 'api.file.upload_file.large_image_detailed.app_error') {
        throw badRequest('app.upload.upload_data.large_image.app_error', err.message, `file=${row.name}`);
      }
      throw err;
    }
  }

  /** The joined file and its thumbnail and preview (not the folder: the parts stay for another try). */
  private async discardFile(row: FileInfoRow): Promise<void> {
    for (const path of [row.path, row.thumbnail_path, row.preview_path]) {
      if (path) await this.store.remove(path).catch(() => undefined);
    }
  }
}
