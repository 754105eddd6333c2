import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startS3rver, type S3rverHandle } from '../../testing/src/s3rver.js';
import { FileStoreError } from './file-store.js';
import { fileStoreContract } from './file-store.contract.js';
import { fileStoreFromConfig } from './file-store-factory.js';
import { S3FileStore, S3Settings, S3StoreError } from './s3-file-store.js';

let s3: S3rverHandle;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(() => s3?.stop());

function settings(over: Partial<S3Settings> = {}): S3Settings {
  return { ...s3.settings, ...over };
}

/** Each test gets its own empty bucket (s3rver, SigV4), so the contract's "empty store" holds. */
fileStoreContract('amazons3 (s3rver)', {
  async open() {
    const bucket = `contract-${randomBytes(4).toString('hex')}`;
    const admin = new S3FileStore(settings());
    await admin.client.send(new CreateBucketCommand({ Bucket: bucket }));
    const store = new S3FileStore(settings({ bucket }));
    return {
      store,
      close: async () => {
        store.client.destroy();
        admin.client.destroy();
      },
    };
  },
});

describe('S3FileStore', () => {
  it('a large streamed write goes up as a multipart upload of 5 MiB parts, a small one as one PutObject', async () => {
    const store = new S3FileStore(settings());
    const sent: string[] = [];
    store.client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(context.commandName!);
        return next(args);
      },
      { step: 'initialize' },
    );
    const w = await store.openWriter('multi/12mb.bin');
    const chunk = randomBytes(1024 * 1024);
    for (let i = 0; i < 12; i++) await w.write(chunk);
    expect(await w.commit()).toBe(12 * 1024 * 1024);
    expect(sent.sort()).toEqual([
      'CompleteMultipartUploadCommand',
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'UploadPartCommand',
    ]);
    expect((await store.readFile('multi/12mb.bin')).equals(Buffer.concat(Array(12).fill(chunk)))).toBe(true);
    sent.length = 0;
    const small = await store.openWriter('multi/small');
    await small.write('x');
    await small.commit();
    expect(sent).toEqual(['PutObjectCommand']);
    await store.remove('multi');
  });

  it('keeps every object under AmazonS3PathPrefix', async () => {
    const prefixed = new S3FileStore(settings({ pathPrefix: 'team-a/files' }));
    const whole = new S3FileStore(settings());
    await prefixed.writeFile('x/y.txt', 'in prefix');
    expect(prefixed.key('x/y.txt')).toBe('team-a/files/x/y.txt');
    expect((await whole.readFile('team-a/files/x/y.txt')).toString()).toBe('in prefix');
    expect((await prefixed.list('')).map((e) => e.name)).toEqual(['x']);
    await prefixed.testConnection();
    await prefixed.remove('x');
    expect(await whole.exists('team-a/files/x/y.txt')).toBe(false);
    expect(() => new S3FileStore(settings({ pathPrefix: '../up' }))).toThrow(FileStoreError);
  });

  it('refuses Signature Version 2 and a missing bucket with a clear error', () => {
    expect(() => new S3FileStore(settings({ signV2: true }))).toThrow(/AmazonS3SignV2 is not supported/);
    expect(() => new S3FileStore(settings({ bucket: '' }))).toThrow(/AmazonS3Bucket is required/);
  });

  it('tells a missing bucket, refused credentials and an unreachable server apart, without secrets', async () => {
    const problem = async (over: Partial<S3Settings>) => {
      const err = await new S3FileStore(settings(over)).testConnection().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(S3StoreError);
      expect((err as Error).message).not.toContain('wrong-secret');
      return (err as S3StoreError).problem;
    };
    expect(await problem({ bucket: 'no-such-bucket' })).toBe('no_bucket');
    // s3rver 3.7.1 checks the access key id of a V4 signature but not the signature itself, so
    // "bad credentials" here is an unknown key (InvalidAccessKeyId, 403), as real S3 answers it too.
    expect(await problem({ accessKeyId: 'NOBODY', secretAccessKey: 'wrong-secret' })).toBe('auth');
    expect(await problem({ endpoint: '127.0.0.1:1' })).toBe('unreachable');
  });

  it('fileStoreFromConfig picks the driver FileSettings.DriverName names', () => {
    const f = {
      DriverName: 'amazons3',
      Directory: './data/',
      AmazonS3Bucket: 'b',
      AmazonS3AccessKeyId: '',
      AmazonS3SecretAccessKey: '',
      AmazonS3Region: '',
      AmazonS3Endpoint: 's3.amazonaws.com',
      AmazonS3SSL: true,
      AmazonS3PathPrefix: '',
      AmazonS3SSE: false,
      AmazonS3SignV2: false,
      AmazonS3RequestTimeoutMilliseconds: 30000,
      AmazonS3UploadPartSizeBytes: 5242880,
    };
    const cfg = (over: object) => ({ FileSettings: { ...f, ...over } }) as never;
    expect(fileStoreFromConfig(cfg({}))).toBeInstanceOf(S3FileStore);
    expect(fileStoreFromConfig(cfg({ DriverName: 'local' })).constructor.name).toBe('LocalFileStore');
    expect(() => fileStoreFromConfig(cfg({ DriverName: 'ftp' }))).toThrow(FileStoreError);
  });
});
