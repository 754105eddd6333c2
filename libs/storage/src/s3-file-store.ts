import { PassThrough, Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ByteRange, FileEntry, FileStore, FileStoreError, FileWriter, storePathSegments } from './file-store.js';

/** FileSettings.AmazonS3* (Mattermost's names), as the amazons3 driver takes them. */
export interface S3Settings {
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Empty: us-east-1 (Mattermost lets minio find the region; the SDK needs one to sign). */
  region: string;
  /** host[:port], no scheme; "s3.amazonaws.com" (Mattermost's default) means AWS itself. */
  endpoint: string;
  ssl: boolean;
  pathPrefix: string;
  /** Server-side encryption with S3-managed keys (AES256). */
  sse: boolean;
  signV2: boolean;
  requestTimeoutMs?: number;
  /** Multipart part size (Mattermost's AmazonS3UploadPartSizeBytes, default and S3's minimum: 5 MiB). */
  partSize?: number;
}

/** Why an S3 store cannot be used, for POST /file/s3_test's error ids. */
export type S3Problem = 'no_bucket' | 'auth' | 'unreachable';

export class S3StoreError extends FileStoreError {
  constructor(
    message: string,
    readonly problem: S3Problem,
  ) {
    super(message);
    this.name = 'S3StoreError';
  }
}

const MIN_PART_SIZE = 5 * 1024 * 1024;
/** DeleteObjects takes at most 1000 keys a request. */
const DELETE_BATCH = 1000;

/**
 * FileSettings.DriverName "amazons3": objects in one bucket under AmazonS3PathPrefix, one object a
 * file; "folders" are key prefixes ending in "/". Signs with AWS Signature V4 only.
 */
export class S3FileStore extends FileStore {
  readonly client: S3Client;
  readonly bucket: string;
  private readonly prefix: string[];
  private readonly sse: ServerSideEncryption | undefined;
  private readonly partSize: number;

  constructor(settings: S3Settings) {
    super();
    // AWS SDK v3 has no Signature Version 2 signer (AWS stopped accepting V2 for new buckets in 2020).
    if (settings.signV2)
      throw new FileStoreError('FileSettings.AmazonS3SignV2 is not supported: the S3 store signs with Signature Version 4 only; set it to false');
    if (!settings.bucket) throw new FileStoreError('FileSettings.AmazonS3Bucket is required for the amazons3 driver');
    this.bucket = settings.bucket;
    this.prefix = storePathSegments(settings.pathPrefix);
    this.sse = settings.sse ? 'AES256' : undefined;
    this.partSize = Math.max(MIN_PART_SIZE, settings.partSize ?? MIN_PART_SIZE);
    const host = settings.endpoint.trim() || 's3.amazonaws.com';
    const aws = host === 's3.amazonaws.com';
    this.client = new S3Client({
      region: settings.region || 'us-east-1',
      // AWS itself: let the SDK pick the regional endpoint and virtual-hosted buckets. Anything else
      // (MinIO, Ceph, s3rver…) is addressed as given, with the bucket in the path, as minio-go does
      // for Mattermost on non-AWS endpoints.
      ...(aws && settings.ssl ? {} : { endpoint: `${settings.ssl ? 'https' : 'http'}://${host}`, forcePathStyle: !aws }),
      credentials:
        settings.accessKeyId || settings.secretAccessKey ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } : undefined,
      // Only the checksums S3 requires: the newer default (CRC32 trailers, aws-chunked bodies) is not
      // understood by many S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { requestTimeout: settings.requestTimeoutMs || 30_000, connectionTimeout: settings.requestTimeoutMs || 30_000 },
      maxAttempts: 2,
    });
  }

  /** The object key of a store path, under the path prefix; refuses traversal like every driver. */
  key(path: string): string {
    return [...this.prefix, ...storePathSegments(path)].join('/');
  }

  /** The key prefix of everything under a folder ("" for the whole store without a path prefix). */
  private folderPrefix(path: string): string {
    const key = this.key(path);
    return key === '' ? '' : `${key}/`;
  }

  private fileKey(path: string): string {
    if (storePathSegments(path).length === 0) throw new FileStoreError('the store root is not a file');
    return this.key(path);
  }

  async writeFile(path: string, data: Buffer | string): Promise<number> {
    const body = typeof data === 'string' ? Buffer.from(data) : data;
    await this.client.send(
      new PutObjectCommand({ Bucket: this.bucket, Key: this.fileKey(path), Body: body, ContentLength: body.length, ServerSideEncryption: this.sse }),
    );
    return body.length;
  }

  async openWriter(path: string): Promise<FileWriter> {
    return new S3Writer(this.client, { Bucket: this.bucket, Key: this.fileKey(path), ServerSideEncryption: this.sse }, this.partSize);
  }

  async readFile(path: string): Promise<Buffer> {
    const res = await this.get(path);
    return Buffer.from(await res.Body!.transformToByteArray());
  }

  async openReader(path: string, range?: ByteRange): Promise<Readable> {
    const res = await this.get(path, range ? `bytes=${range.start}-${range.end ?? ''}` : undefined);
    return res.Body as Readable;
  }

  private async get(path: string, range?: string) {
    try {
      return await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.fileKey(path), Range: range }));
    } catch (err) {
      // Callers tell a missing file by the same code as the local driver's.
      if (notFound(err)) throw Object.assign(new FileStoreError(`no such file: ${JSON.stringify(path)}`), { code: 'ENOENT' });
      throw err;
    }
  }

  async stat(path: string): Promise<{ size: number; modifiedAt: number } | undefined> {
    if (storePathSegments(path).length === 0) return undefined;
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
      return { size: head.ContentLength ?? 0, modifiedAt: head.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (notFound(err)) return undefined;
      throw err;
    }
  }

  /** A file, or a folder (some object under it), as the local driver answers for both. */
  async exists(path: string): Promise<boolean> {
    if ((await this.stat(path)) !== undefined) return true;
    const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.folderPrefix(path), MaxKeys: 1 }));
    return (page.KeyCount ?? page.Contents?.length ?? 0) > 0;
  }

  async list(dir: string): Promise<FileEntry[]> {
    const prefix = this.folderPrefix(dir);
    const entries: FileEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }));
      for (const p of page.CommonPrefixes ?? []) {
        const name = p.Prefix!.slice(prefix.length, -1);
        if (name) entries.push({ name, isDirectory: true, size: 0, modifiedAt: 0 });
      }
      for (const o of page.Contents ?? []) {
        const name = o.Key!.slice(prefix.length);
        // An empty name is a "folder marker" object some tools create; it is not an entry.
        if (name) entries.push({ name, isDirectory: false, size: o.Size ?? 0, modifiedAt: o.LastModified?.getTime() ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return entries.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The object at `path` and every object under `path/`, deleted in batches of 1000. */
  async remove(path: string): Promise<void> {
    if (storePathSegments(path).length === 0) throw new FileStoreError('cannot remove the store root');
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(path) }));
    const prefix = this.folderPrefix(path);
    for (;;) {
      // Listing from the start each time: deleted keys are gone from the next page.
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: DELETE_BATCH }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
      if (keys.length === 0) return;
      const res = await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } }));
      if (res.Errors?.length) throw new FileStoreError(`could not delete ${res.Errors.length} objects under ${JSON.stringify(path)}: ${res.Errors[0].Code}`);
    }
  }

  /**
   * Mattermost's S3 TestConnection: the bucket exists and these credentials may use it — HeadBucket,
   * or, with a path prefix (credentials may be limited to it), a listing under the prefix.
   */
  async testConnection(): Promise<void> {
    try {
      if (this.prefix.length) await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix.join('/')}/`, MaxKeys: 1 }));
      else await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      throw classify(err, this.bucket);
    }
  }
}

/** Streamed writes through lib-storage's Upload: one PutObject when small, multipart when large. */
class S3Writer implements FileWriter {
  private readonly body = new PassThrough();
  private readonly upload: Upload;
  private readonly done: Promise<unknown>;
  private failure: unknown;
  private bytes = 0;
  private finished = false;

  constructor(client: S3Client, params: { Bucket: string; Key: string; ServerSideEncryption?: ServerSideEncryption }, partSize: number) {
    // leavePartsOnError false: a failed multipart upload is aborted, leaving no parts to pay for.
    this.upload = new Upload({ client, params: { ...params, Body: this.body }, partSize, queueSize: 2, leavePartsOnError: false });
    this.done = this.upload.done();
    this.done.catch((err) => {
      this.failure ??= err;
      // Unblocks a write waiting for 'drain' that will never come.
      this.body.emit('upload-failed');
    });
  }

  async write(chunk: Buffer | string): Promise<void> {
    if (this.finished) throw new FileStoreError('write after commit or abort');
    if (this.failure) throw this.failure;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.bytes += buf.length;
    // Backpressure: the caller waits while the parts in flight are full.
    if (!this.body.write(buf)) {
      await new Promise<void>((ok) => {
        const resume = () => {
          this.body.off('drain', resume).off('upload-failed', resume);
          ok();
        };
        this.body.on('drain', resume).on('upload-failed', resume);
      });
      if (this.failure) throw this.failure;
    }
  }

  async commit(): Promise<number> {
    if (this.finished) throw new FileStoreError('already committed or aborted');
    this.finished = true;
    this.body.end();
    await this.done;
    return this.bytes;
  }

  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.failure ??= new FileStoreError('aborted');
    try {
      await this.upload.abort();
    } catch {
      /* nothing was started */
    }
    this.body.destroy();
    await this.done.catch(() => undefined);
  }
}

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function notFound(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'NoSuchKey' || name === 'NotFound' || status(err) === 404;
}

/** An SDK error as what the admin must fix, without echoing credentials. */
function classify(err: unknown, bucket: string): S3StoreError {
  const name = (err as { name?: string })?.name ?? '';
  const code = status(err);
  if (name === 'NoSuchBucket' || (code === 404 && name !== 'NoSuchKey'))
    return new S3StoreError(`the bucket ${JSON.stringify(bucket)} does not exist`, 'no_bucket');
  if (code === 401 || code === 403 || /AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden/.test(name)) {
    return new S3StoreError(`the S3 server refused these credentials (${name || code})`, 'auth');
  }
  const detail = (err as { code?: string })?.code ?? name ?? 'error';
  return new S3StoreError(`the S3 server could not be reached or answered an error (${detail || code})`, 'unreachable');
}
