/**
 * FileSettings.DriverName "amazons3" end to end, against s3rver (a real S3-compatible server,
 * SigV4) started here: ping's filestore_status asks the bucket, the bulk export job writes its zip
 * into the bucket, and POST /file/s3_test tells success, a missing bucket and refused credentials
 * apart without echoing secrets.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import { FAKE_SETTING } from '#config';
import { S3FileStore } from '#storage';
import { exportLines } from '../jobs/zip-reader.js';
import { Cast, post, signUpCast, teamWithChannels } from './fixtures.js';
import { expectClientError, S3rverHandle, sleep, startS3rver, startServer, TestServer } from '#testing';

let s3: S3rverHandle;
let server: TestServer;
let cast: Cast;
let bucket: S3FileStore;

beforeAll(async () => {
  s3 = await startS3rver();
  server = await startServer({ ...s3.env, MM_FILESETTINGS_AMAZONS3PATHPREFIX: 'mm' });
  cast = await signUpCast(server);
  bucket = new S3FileStore(s3.settings);
});
afterAll(async () => {
  bucket?.client.destroy();
  await server?.stop();
  await s3?.stop().catch(() => undefined);
});

const s3Test = (c: Client4, body: unknown) => c.testS3Connection(body as never);

async function waitForJob(id: string): Promise<Job> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const job = await cast.admin.client.getJob(id);
    if (['success', 'error', 'canceled', 'warning'].includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status}`);
    await sleep(50);
  }
}

describe('the amazons3 store', () => {
  it('ping with get_server_status reports the bucket healthy', async () => {
    const ping = (await server.client().ping(true)) as unknown as Record<string, string>;
    expect(ping).toMatchObject({ status: 'OK', database_status: 'OK', filestore_status: 'OK' });
  });

  it('the bulk export job writes its zip into the bucket, under the path prefix, and nothing on local disk', async () => {
    const parts = await teamWithChannels(cast, {
      team: { name: 's3-team', display_name: 'S3 Team' },
      pub: { name: 's3-pub', display_name: 'S3 Pub' },
      priv: { name: 's3-priv', display_name: 'S3 Priv' },
    });
    await post(cast.alice.client, parts.pub.id, 'exported through S3');
    const created = await cast.admin.client.createJob({ type: 'export_process' } as never);
    const job = await waitForJob(created.id);
    expect(job.status).toBe('success');
    expect(job.data.export_file).toBe(`export/${job.id}_export.zip`);
    const zip = await bucket.readFile(`mm/${job.data.export_file}`);
    expect(Number(job.data.export_size)).toBe(zip.length);
    const lines = exportLines(zip);
    expect(lines.some((l) => l.type === 'post' && l.post.message === 'exported through S3')).toBe(true);
    expect(existsSync(join(server.dir, 'data', job.data.export_file))).toBe(false);
  });

  it('POST /file/s3_test: OK for the saved settings and for a body whose secret is the console mask', async () => {
    expect(await s3Test(cast.admin.client, {})).toEqual({ status: 'OK' });
    const config = await cast.admin.client.getConfig();
    expect(config.FileSettings.AmazonS3SecretAccessKey).toBe(FAKE_SETTING);
    expect(await s3Test(cast.admin.client, config)).toEqual({ status: 'OK' });
  });

  it('POST /file/s3_test: a missing bucket, refused credentials, no bucket at all, SignV2 — clear errors without the secret', async () => {
    const fs = (over: Record<string, unknown>) => ({ FileSettings: { AmazonS3Bucket: s3.bucket, ...over } });
    const missing = await expectClientError(() => s3Test(cast.admin.client, fs({ AmazonS3Bucket: 'no-such-bucket' })));
    expect(missing).toMatchObject({ status_code: 502, server_error_id: 'api.file.test_connection_s3_bucket_does_not_exist.app_error' });

    const secret = 'a-secret-that-must-not-leak';
    const refused = await expectClientError(() => s3Test(cast.admin.client, fs({ AmazonS3AccessKeyId: 'NOBODY', AmazonS3SecretAccessKey: secret })));
    expect(refused).toMatchObject({ status_code: 502, server_error_id: 'api.file.test_connection_s3_auth.app_error' });
    expect(JSON.stringify(refused)).not.toContain(secret);

    const none = await expectClientError(() => s3Test(cast.admin.client, fs({ AmazonS3Bucket: '' })));
    expect(none).toMatchObject({ status_code: 400, server_error_id: 'api.admin.test_s3.missing_s3_bucket' });
    const v2 = await expectClientError(() => s3Test(cast.admin.client, fs({ AmazonS3SignV2: true })));
    expect(v2).toMatchObject({ status_code: 400 });
    expect(v2.message).toMatch(/SignV2 is not supported/);

    const unreachable = await expectClientError(() => s3Test(cast.admin.client, fs({ AmazonS3Endpoint: '127.0.0.1:1' })));
    expect(unreachable).toMatchObject({ status_code: 502, server_error_id: 'api.file.test_connection.app_error' });
  });

  it('POST /file/s3_test needs test_s3 (system admins)', async () => {
    expect(await expectClientError(() => s3Test(cast.bob.client, {}))).toMatchObject({ status_code: 403 });
    expect(await expectClientError(() => s3Test(server.client(), {}))).toMatchObject({ status_code: 401 });
  });

  it('ping reports the store unhealthy once the S3 server is gone', async () => {
    await s3.stop();
    const res = await fetch(`${server.url}/api/v4/system/ping?get_server_status=true`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ status: 'UNHEALTHY', database_status: 'OK', filestore_status: 'UNHEALTHY' });
  });
});
