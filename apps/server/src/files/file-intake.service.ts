import type { Readable } from 'node:stream';
import { Injectable, Optional } from '@nestjs/common';
import { AppError, badRequest, newId } from '#common';
import { FileStore } from '#storage';
import { ContentExtractor } from './content/content-extractor.service.js';
import { fileExtension, fileFolder, FileInfoRow, plainFileName, storeSegment } from './file-info.model.js';
import type { DecodeLimits } from '../common/images.js';
import { isDecodableImage, processImage } from './images.js';
import { mimeTypeFor } from './mime.js';

export const tooLarge = (max: number) =>
  new AppError('', 'api.file.upload_file.too_large_detailed.app_error', `Unable to upload file. File is larger than the limit of ${max} bytes.`, 413);
export const cutOff = () => badRequest('api.file.upload_file.read_request.app_error', 'Unable to read the upload: the request ended before its body.');

/**
 * The store refused a write (disk full, S3 down): the server's failure, not the client's, as
 * Mattermost's WriteFile answers it (500), so that it is never mistaken for a cut-off request.
 */
function storeFailed(err: unknown): never {
  throw new AppError('', 'api.file.write_file.app_error', 'Unable to write the file.', 500, err instanceof Error ? err.message : String(err));
}

/**
 * How a file comes in, whatever route brought it (POST /files, resumable uploads): its bytes
 * streamed into the store under Mattermost's folder layout, a FileInfo row built for it (not yet
 * written), then its image data; and, when the request fails, the file removed again. Once the
 * rows are committed, `committed` starts what Mattermost does after answering (content extraction).
 */
@Injectable()
export class FileIntake {
  constructor(
    private readonly store: FileStore,
    @Optional() private readonly extractor?: ContentExtractor,
  ) {}

  /** Writes one file through a store writer (whole or nothing) and returns its FileInfo row. */
  async storeStream(userId: string, channelId: string, rawName: string, stream: Readable, max: number): Promise<FileInfoRow> {
    const row = newFileInfo(userId, channelId, rawName);
    const writer = await this.store.openWriter(row.path);
    let size = 0;
    try {
      // Past the limit the rest is read and dropped rather than the stream destroyed: busboy
      // would wait forever on a destroyed part, and the client gets its 413 after sending.
      let over = false;
      for await (const chunk of stream) {
        size += (chunk as Buffer).length;
        // busboy stops a part at the limit (and flags it truncated); the raw form counts here.
        over ||= size > max || (stream as Readable & { truncated?: boolean }).truncated === true;
        if (!over) await writer.write(chunk as Buffer).catch(storeFailed);
      }
      if (over || (stream as Readable & { truncated?: boolean }).truncated) throw tooLarge(max);
      row.size = await writer.commit().catch(storeFailed);
    } catch (err) {
      await writer.abort();
      stream.resume();
      if (err instanceof AppError) throw err;
      // Anything else is the request's body failing: the client went away mid-upload.
      throw cutOff();
    }
    return row;
  }

  /** Size, thumbnail, preview and mini preview of an image (app/file.go: generateThumbnailImage, generatePreviewImage). */
  async addImageData(row: FileInfoRow, limits: DecodeLimits): Promise<void> {
    if (!isDecodableImage(row.mime_type)) return;
    const image = await processImage(await this.store.openReader(row.path), limits);
    const base = row.path.slice(0, row.path.lastIndexOf('.') > row.path.lastIndexOf('/') ? row.path.lastIndexOf('.') : undefined);
    row.thumbnail_path = `${base}_thumb.jpg`;
    row.preview_path = `${base}_preview.jpg`;
    await this.store.writeFile(row.thumbnail_path, image.thumbnail);
    await this.store.writeFile(row.preview_path, image.preview);
    row.width = image.width;
    row.height = image.height;
    row.mini_preview = image.miniPreview;
    row.has_preview_image = true;
  }

  /**
   * To be called once the FileInfo rows of an upload are committed: queues their text extraction
   * for file search (FileSettings.ExtractContent), which runs after the answer, as Mattermost's
   * goroutine does, and updates `content` then. Never throws and never waits.
   */
  committed(rows: FileInfoRow[]): void {
    this.extractor?.enqueue(rows);
  }

  /** Removes a stored file's folder (the file and its thumbnail and preview); never throws. */
  async discard(row: FileInfoRow): Promise<void> {
    await this.store.remove(row.path.slice(0, row.path.lastIndexOf('/'))).catch(() => undefined);
  }
}

/** A FileInfo row for a new file, with its id, folder and type from its name; size and image data come later. */
export function newFileInfo(userId: string, channelId: string, rawName: string, now = Date.now()): FileInfoRow {
  const id = newId();
  const name = plainFileName(rawName);
  const extension = fileExtension(name);
  return {
    id,
    creator_id: userId,
    post_id: '',
    channel_id: channelId,
    create_at: now,
    update_at: now,
    delete_at: 0,
    path: `${fileFolder(now, channelId, userId, id)}/${storeSegment(name)}`,
    thumbnail_path: '',
    preview_path: '',
    name,
    extension,
    size: 0,
    mime_type: mimeTypeFor(extension),
    width: 0,
    height: 0,
    has_preview_image: false,
    mini_preview: null,
    content: '',
    remote_id: '',
    archived: false,
  };
}
