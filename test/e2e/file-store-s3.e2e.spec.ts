/**
 * FileSettings.DriverName "amazons3" end to end, against s3rver (a real S3-compatible server,
 * SigV4) started here: attachments are stored in and served from the bucket, ping's
 * filestore_status asks the bucket, the bulk export job writes its zip
 * into the bucket, data retention deletes old files' objects from it, and POST /file/s3_test tells
 * success, a missing bucket and refused credentials apart without echoing secrets.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Job } from '@mattermost/types/jobs';
import { FAKE_SETTING } from '#config';
import { S3FileStore } from '#storage';
import { exportLines, readZip } from '../jobs/zip-reader.js';
import { Cast, post, signUpCast, teamWithChannels, uploadFile } from './fixtures.js';
import { databasePool, expectClientError, S3rverHandle, sleep, startS3rver, startServer, TestServer } from '#testing';

let s3: S3rverHandle;
let server: TestServer;
let cast: Cast;
let bucket: S3FileStore;

beforeAll(async () => {
  s3 = await startS3rver();
  server = await startServer({
    ...s3.env,
    MM_FILESETTINGS_AMAZONS3PATHPREFIX: 'mm',
    MM_DATARETENTIONSETTINGS_ENABLEFILEDELETION: 'true',
    MM_DATARETENTIONSETTINGS_FILERETENTIONDAYS: '30',
  });
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

  // After the s3_test cases: s3rver answers a truncated listing (MaxKeys 1, as the connection test
  // under a path prefix asks) with InternalError once two objects lie under the prefix.
  it('data retention deletes files older than FileRetentionDays from the bucket — row, file, thumbnail and preview — keeps newer ones, and sweeps an old day folder', async () => {
    const parts = await teamWithChannels(cast, {
      team: { name: 's3-retention', display_name: 'S3 Retention' },
      pub: { name: 's3-files', display_name: 'S3 Files' },
      priv: { name: 's3-files-priv', display_name: 'S3 Files Priv' },
    });
    const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#aa3366' } })
      .png()
      .toBuffer();
    const old = await uploadFile(cast.alice.client, parts.pub.id, 'old.png', png);
    const recent = await uploadFile(cast.alice.client, parts.pub.id, 'recent.txt', 'recent');
    // Straight in the day folder: s3rver 3.7.1 lists a folder (CommonPrefixes) only when an object
    // lies directly in it, where S3 also lists one that holds objects only deeper down.
    await bucket.writeFile('mm/20000107/stray.bin', 'no row points here');
    const pool = databasePool(server.database, 1);
    let rows: Array<{ id: string; path: string; thumbnail_path: string; preview_path: string }>;
    try {
      await pool.query('UPDATE file_infos SET create_at = $2 WHERE id = $1', [old.id, Date.now() - 31 * 86_400_000]);
      rows = (await pool.query('SELECT id, path, thumbnail_path, preview_path FROM file_infos WHERE id = ANY($1) ORDER BY id', [[old.id, recent.id]])).rows;
    } finally {
      await pool.end();
    }
    const objects = (id: string) => {
      const r = rows.find((x) => x.id === id)!;
      return [r.path, r.thumbnail_path, r.preview_path].filter(Boolean).map((p) => `mm/${p}`);
    };
    expect(objects(old.id)).toHaveLength(3);
    for (const key of objects(old.id)) expect(await bucket.exists(key), key).toBe(true);

    const created = await cast.admin.client.createJob({ type: 'data_retention' } as never);
    const job = await waitForJob(created.id);
    expect(job).toMatchObject({ status: 'success' });
    expect(job.data).toMatchObject({ deleted_files: '1', deleted_file_folders: '1' });
    for (const key of objects(old.id)) expect(await bucket.exists(key), key).toBe(false);
    expect((await bucket.readFile(objects(recent.id)[0])).toString()).toBe('recent');
    expect(await bucket.exists('mm/20000107/stray.bin')).toBe(false);
    expect((await bucket.list('mm')).map((e) => e.name)).not.toContain('20000107');
  });

  it("the bulk export with include_attachments streams a post's file from the bucket into data/<path>", async () => {
    const parts = await teamWithChannels(cast, {
      team: { name: 's3-export-files', display_name: 'S3 Export Files' },
      pub: { name: 's3-export-pub', display_name: 'S3 Export Pub' },
      priv: { name: 's3-export-priv', display_name: 'S3 Export Priv' },
    });
    const bytes = Buffer.alloc(200_000, 'attachment bytes ');
    const file = await uploadFile(cast.alice.client, parts.pub.id, 'big.txt', bytes);
    await post(cast.alice.client, parts.pub.id, 'exported with its file', { file_ids: [file.id] } as never);
    const created = await cast.admin.client.createJob({ type: 'export_process', data: { include_attachments: 'true' } } as never);
    const job = await waitForJob(created.id);
    expect(job).toMatchObject({ status: 'success', data: { attachments_exported: '1' } });
    const zip = await bucket.readFile(`mm/${job.data.export_file}`);
    const line = exportLines(zip).find((l) => l.type === 'post' && l.post.message === 'exported with its file')!.post;
    expect(line.attachments).toHaveLength(1);
    expect(readZip(zip).get(`data/${line.attachments[0].path}`)!.equals(bytes)).toBe(true);
  });

  it('attachments live in the bucket: multipart upload, whole and ranged downloads, thumbnail, metadata.files, gone with the post', async () => {
    const parts = await teamWithChannels(cast, {
      team: { name: 's3-attachments', display_name: 'S3 Attachments' },
      pub: { name: 's3-attachments-pub', display_name: 'S3 Attachments Pub' },
      priv: { name: 's3-attachments-priv', display_name: 'S3 Attachments Priv' },
    });
    const text = Buffer.from('0123456789'.repeat(30_000));
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#2266aa' } })
      .jpeg()
      .toBuffer();
    const file = await uploadFile(cast.alice.client, parts.pub.id, 'digits.txt', text);
    const image = await uploadFile(cast.alice.client, parts.pub.id, 'photo.jpg', jpeg);
    const db = databasePool(server.database, 1);
    try {
      const stored = (await db.query<{ path: string; thumbnail_path: string }>('SELECT path, thumbnail_path FROM file_infos WHERE id = $1', [image.id]))
        .rows[0];
      expect(await bucket.stat(`mm/${stored.path}`)).toMatchObject({ size: jpeg.length });
      expect(await bucket.stat(`mm/${stored.thumbnail_path}`)).toBeTruthy();
    } finally {
      await db.end();
    }
    const auth = { Authorization: `Bearer ${cast.bob.client.getToken()}` };
    const whole = await fetch(cast.bob.client.getFileUrl(file.id, 0), { headers: auth });
    expect(Buffer.from(await whole.arrayBuffer()).equals(text)).toBe(true);
    const ranged = await fetch(cast.bob.client.getFileUrl(file.id, 0), { headers: { ...auth, Range: 'bytes=100000-100009' } });
    expect([ranged.status, await ranged.text()]).toEqual([206, '0123456789']);
    const thumb = await sharp(Buffer.from(await (await fetch(cast.bob.client.getFileThumbnailUrl(image.id, 0), { headers: auth })).arrayBuffer())).metadata();
    expect([thumb.width, thumb.height]).toEqual([120, 90]);
    const posted = await post(cast.alice.client, parts.pub.id, 'two files from the bucket', { file_ids: [file.id, image.id] } as never);
    expect(posted.metadata.files!.map((f) => f.id)).toEqual([file.id, image.id]);
    await cast.alice.client.deletePost(posted.id);
    expect((await fetch(cast.bob.client.getFileUrl(file.id, 0), { headers: auth })).status).toBe(404);
  });

  it('ping reports the store unhealthy once the S3 server is gone', async () => {
    await s3.stop();
    const res = await fetch(`${server.url}/api/v4/system/ping?get_server_status=true`);
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ status: 'UNHEALTHY', database_status: 'OK', filestore_status: 'UNHEALTHY' });
  });
});
