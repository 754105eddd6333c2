import type { Config } from '#config';
import { FileStore, FileStoreError } from './file-store.js';
import { LocalFileStore } from './local-file-store.js';
import { S3FileStore, S3Settings } from './s3-file-store.js';

/** FileSettings.AmazonS3* as the S3 driver's settings. */
export function s3Settings(f: Config['FileSettings']): S3Settings {
  return {
    bucket: f.AmazonS3Bucket,
    accessKeyId: f.AmazonS3AccessKeyId,
    secretAccessKey: f.AmazonS3SecretAccessKey,
    region: f.AmazonS3Region,
    endpoint: f.AmazonS3Endpoint,
    ssl: f.AmazonS3SSL,
    pathPrefix: f.AmazonS3PathPrefix,
    sse: f.AmazonS3SSE,
    signV2: f.AmazonS3SignV2,
    requestTimeoutMs: f.AmazonS3RequestTimeoutMilliseconds,
    partSize: f.AmazonS3UploadPartSizeBytes,
  };
}

/** The store FileSettings.DriverName names: "local" (Directory) or "amazons3" (a bucket). */
export function fileStoreFromConfig(cfg: Pick<Config, 'FileSettings'>): FileStore {
  const f = cfg.FileSettings;
  if (f.DriverName === 'local') return new LocalFileStore(f.Directory || './data/');
  if (f.DriverName === 'amazons3') return new S3FileStore(s3Settings(f));
  throw new FileStoreError(`FileSettings.DriverName ${JSON.stringify(f.DriverName)} is not supported ("local" or "amazons3")`);
}
