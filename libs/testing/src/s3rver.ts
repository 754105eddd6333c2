/**
 * A real S3-compatible server for the amazons3 file store's tests: s3rver (npm), in the test
 * process, on a free loopback port, with its own folder. Clients sign with AWS Signature V4; s3rver
 * 3.7.1 refuses an unknown access key id (InvalidAccessKeyId, 403) but does not recompute V4
 * signatures, so a wrong secret with the right key id ("S3RVER"/"S3RVER") is not caught by it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Settings } from '#storage';
import { freePort } from './ports.js';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

export interface S3rverHandle {
  /** http://127.0.0.1:<port> */
  url: string;
  /** host:port, as FileSettings.AmazonS3Endpoint takes it (with AmazonS3SSL false). */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** The MM_FILESETTINGS_* variables that point a server at this bucket. */
  env: Record<string, string>;
  /** An S3FileStore's settings for this bucket (plain http, no prefix, no SSE). */
  settings: S3Settings;
  stop(): Promise<void>;
}

/** Starts s3rver with `bucket` (default "mmchat") created; stop() closes it and removes its files. */
export async function startS3rver(options: { bucket?: string; host?: string } = {}): Promise<S3rverHandle> {
  const host = options.host ?? '127.0.0.1';
  const bucket = options.bucket ?? 'mmchat';
  const port = await freePort(host);
  const directory = mkdtempSync(join(tmpdir(), 's3rver-'));
  // s3rver is CommonJS without types.
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const server = new S3rver({ address: host, port, directory, silent: true, configureBuckets: [{ name: bucket }] });
  await server.run();
  const endpoint = `${host}:${port}`;
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
  return {
    url: `http://${endpoint}`,
    endpoint,
    bucket,
    ...credentials,
    env: {
      MM_FILESETTINGS_DRIVERNAME: 'amazons3',
      MM_FILESETTINGS_AMAZONS3BUCKET: bucket,
      MM_FILESETTINGS_AMAZONS3ACCESSKEYID: credentials.accessKeyId,
      MM_FILESETTINGS_AMAZONS3SECRETACCESSKEY: credentials.secretAccessKey,
      MM_FILESETTINGS_AMAZONS3REGION: credentials.region,
      MM_FILESETTINGS_AMAZONS3ENDPOINT: endpoint,
      MM_FILESETTINGS_AMAZONS3SSL: 'false',
    },
    settings: { bucket, endpoint, ...credentials, ssl: false, pathPrefix: '', sse: false, signV2: false },
    async stop() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
