import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

/**
 * The file store seam (Mattermost's FileBackend): where exports, attachments, pictures and emoji
 * live. Paths are relative, '/'-separated, and never leave the store. Drivers: local (one folder,
 * also NFS-mounted for a cluster) and amazons3 (one bucket, s3-file-store.ts).
 */

/** A file being written. It appears at its path only on commit(), whole; abort() leaves nothing. */
export interface FileWriter {
  write(chunk: Buffer | string): Promise<void>;
  /** Makes the file visible at its path (replacing any older one); returns its size in bytes. */
  commit(): Promise<number>;
  abort(): Promise<void>;
}

export interface FileEntry {
  name: string;
  isDirectory: boolean;
  size: number;
  modifiedAt: number;
}

/** Bytes `start` to `end` inclusive (HTTP Range semantics); `end` defaults to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export abstract class FileStore {
  abstract writeFile(path: string, data: Buffer | string): Promise<number>;
  abstract openWriter(path: string): Promise<FileWriter>;
  abstract readFile(path: string): Promise<Buffer>;
  /** A file as a stream (all of it, or a range), so that serving it never holds it in memory. */
  abstract openReader(path: string, range?: ByteRange): Promise<Readable>;
  /** A file's size and time, or undefined when there is no file at `path`. */
  abstract stat(path: string): Promise<{ size: number; modifiedAt: number } | undefined>;
  abstract exists(path: string): Promise<boolean>;
  /** Entries directly under a folder; an empty list when the folder does not exist. */
  abstract list(dir: string): Promise<FileEntry[]>;
  /** Removes a file or a whole folder; nothing happens when it does not exist. */
  abstract remove(path: string): Promise<void>;

  /**
   * Mattermost's FileBackend.TestConnection (ping's filestore_status, POST /file/s3_test): throws
   * when the store cannot be used. By default a probe file is written, read back and removed.
   */
  async testConnection(): Promise<void> {
    const probe = `.testfile-${randomBytes(6).toString('hex')}`;
    await this.writeFile(probe, 'ok');
    try {
      if ((await this.readFile(probe)).toString() !== 'ok') throw new FileStoreError('the store did not read back what was written');
    } finally {
      await this.remove(probe);
    }
  }
}

export class FileStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileStoreError';
  }
}

/** A store path as its segments; refuses absolute paths and anything that climbs out with "..". */
export function storePathSegments(path: string): string[] {
  if (path.startsWith('/') || path.includes('\\') || path.includes('\0')) throw new FileStoreError(`invalid file store path: ${JSON.stringify(path)}`);
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new FileStoreError(`invalid file store path: ${JSON.stringify(path)}`);
  return segments;
}
