/**
 * Resumable uploads (POST /uploads, GET|POST /uploads/{id}, GET /users/{id}/uploads) through
 * Client4's own fetch (the JS client has no methods for them; the helpers below carry the Go
 * client's names), on the local store and, for the byte paths, on S3 (s3rver): chunks, a chunk
 * cut off midway and resumed from the offset the server kept, byte-exact files, the refusals.
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import { FileStore, LocalFileStore, S3FileStore } from '#storage';
import { eventually, S3rverHandle, sleep, startS3rver, startServer, TestServer } from '#testing';
import { Cast, PERMISSION, signUpCast, teamWithChannels } from './fixtures.js';

const MiB = 1024 * 1024;
const MAX_FILE_SIZE = 20 * MiB;

interface UploadSession {
  id: string;
  type: string;
  create_at: number;
  user_id: string;
  channel_id?: string;
  filename: string;
  file_size: number;
  file_offset: number;
  remote_id: string;
  req_file_id: string;
}

// ---- Client4 has no upload-session methods: these send through its doFetch, as its own would ----

const createUploadSession = (c: Client4, body: Record<string, unknown>): Promise<UploadSession> =>
  (c as any).doFetch(`${c.getBaseRoute()}/uploads`, { method: 'post', body: JSON.stringify(body) });
const getUploadSession = (c: Client4, id: string): Promise<UploadSession> => (c as any).doFetch(`${c.getBaseRoute()}/uploads/${id}`, { method: 'get' });
const getUploadsForUser = (c: Client4, userId: string): Promise<UploadSession[]> => (c as any).doFetch(`${c.getUserRoute(userId)}/uploads`, { method: 'get' });
/** A chunk as the raw body: the status (204 incomplete, 200 done) and the FileInfo once done. */
async function uploadData(c: Client4, id: string, data: Buffer | FormData): Promise<{ status: number; info?: FileInfo }> {
  const body = data instanceof FormData ? data : new Uint8Array(data);
  const { response, data: info } = await (c as any).doFetchWithResponse(`${c.getBaseRoute()}/uploads/${id}`, { method: 'post', body });
  return { status: response.status, info: response.status === 204 ? undefined : info };
}

async function fails(call: Promise<unknown>, status: number, id: string): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: { status_code: number; server_error_id: string }) => e,
  );
  expect(err).toMatchObject({ status_code: status, server_error_id: id });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function download(c: Client4, fileId: string): Promise<Buffer> {
  const res = await fetch(c.getFileUrl(fileId, 0), { headers: { Authorization: `Bearer ${c.getToken()}` } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

/** Every file under `dir` in the store, as paths. */
async function allFiles(store: FileStore, dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await store.list(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...(await allFiles(store, path)));
    else out.push(path);
  }
  return out;
}

/** The store folder of an upload: Mattermost's layout (day, channel, user), then the upload's id. */
function uploadFolder(us: UploadSession): string {
  const day = new Date(us.create_at).toISOString().slice(0, 10).replace(/-/g, '');
  return `${day}/teams/noteam/channels/${us.channel_id}/users/${us.user_id}/${us.id}`;
}

/**
 * Starts a chunk over node:http with `declared` bytes announced, sends `sent` of them, waits for
 * them to leave, then destroys the request: a connection broken in the middle of the body.
 */
function cutOffChunk(server: TestServer, c: Client4, id: string, sent: Buffer, declared: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const req = httpRequest(`${server.url}/api/v4/uploads/${id}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${c.getToken()}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(declared) },
    });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write(sent, () => setTimeout(() => req.destroy(), 300));
  });
}

/** The session once the server is done with a cut-off chunk (its offset moved past `from`, and a probe is no longer refused as concurrent). */
async function settledAfterCut(c: Client4, id: string, from: number): Promise<UploadSession> {
  await eventually(async () => expect((await getUploadSession(c, id)).file_offset).toBeGreaterThan(from), 10_000);
  await eventually(async () => expect((await uploadData(c, id, Buffer.alloc(0))).status).toBe(204), 10_000);
  return getUploadSession(c, id);
}

// ---- the byte paths, on both stores -----------------------------------------------------------

for (const driver of ['local', 'amazons3'] as const) {
  describe(`resumable uploads on the ${driver} store`, () => {
    let s3: S3rverHandle | undefined;
    let server: TestServer;
    let store: FileStore;
    let cast: Cast;
    let pub: Channel;

    beforeAll(async () => {
      s3 = driver === 'amazons3' ? await startS3rver() : undefined;
      server = await startServer({ ...(s3?.env ?? {}), MM_FILESETTINGS_MAXFILESIZE: String(MAX_FILE_SIZE) });
      store = s3 ? new S3FileStore(s3.settings) : new LocalFileStore(join(server.dir, 'data'));
      cast = await signUpCast(server);
      ({ pub } = await teamWithChannels(cast, {
        team: { name: `team-u${driver.slice(0, 3)}${Date.now()}`, display_name: 'Uploads' },
        pub: { name: 'uploads-pub', display_name: 'Uploads' },
        priv: { name: 'uploads-priv', display_name: 'Private uploads' },
      }));
    });
    afterAll(async () => {
      if (store instanceof S3FileStore) store.client.destroy();
      await server?.stop();
      await s3?.stop().catch(() => undefined);
    });

    it('creates a session as Mattermost answers it, takes two chunks (204, then 200 + FileInfo) and serves the file byte for byte', async () => {
      const { bob } = cast;
      const data = randomBytes(8 * MiB);
      const us = await createUploadSession(bob.client, { channel_id: pub.id, filename: 'upload.zip', file_size: data.length });
      expect(Object.keys(us)).toEqual(['id', 'type', 'create_at', 'user_id', 'channel_id', 'filename', 'file_size', 'file_offset', 'remote_id', 'req_file_id']);
      expect(us).toMatchObject({
        type: 'attachment',
        user_id: bob.user.id,
        channel_id: pub.id,
        filename: 'upload.zip',
        file_size: data.length,
        file_offset: 0,
      });
      expect(await uploadData(bob.client, us.id, data.subarray(0, 5 * MiB))).toEqual({ status: 204 });
      expect((await getUploadSession(bob.client, us.id)).file_offset).toBe(5 * MiB);
      const done = await uploadData(bob.client, us.id, data.subarray(5 * MiB));
      expect(done.status).toBe(200);
      expect(done.info).toMatchObject({ user_id: bob.user.id, channel_id: pub.id, post_id: '', name: 'upload.zip', extension: 'zip', size: data.length });
      expect(done.info!.mime_type).toBe('application/zip');
      expect(sha(await download(bob.client, done.info!.id))).toBe(sha(data));
      // The session is gone with its parts: only the file is left in its folder.
      await fails(getUploadSession(bob.client, us.id), 404, 'app.upload.get.app_error');
      await fails(uploadData(bob.client, us.id, Buffer.from('more')), 404, 'app.upload.get.app_error');
      expect(await allFiles(store, uploadFolder(us))).toEqual([`${uploadFolder(us)}/upload.zip`]);
    });

    it('resumes after a connection broken mid-chunk: the offset is the bytes kept, and the rest completes a byte-exact file', async () => {
      const { bob } = cast;
      const data = randomBytes(9 * MiB + 12345);
      const us = await createUploadSession(bob.client, { channel_id: pub.id, filename: 'resumed.bin', file_size: data.length });
      expect((await uploadData(bob.client, us.id, data.subarray(0, 6 * MiB))).status).toBe(204);
      // The second chunk announces everything left but only 1 MiB arrives before the connection breaks.
      await cutOffChunk(server, bob.client, us.id, data.subarray(6 * MiB, 7 * MiB), data.length - 6 * MiB);
      const after = await settledAfterCut(bob.client, us.id, 6 * MiB);
      expect(after.file_offset).toBeGreaterThan(6 * MiB);
      expect(after.file_offset).toBeLessThanOrEqual(7 * MiB);
      // Each chunk is a part of its own in the store until the last byte comes.
      expect((await allFiles(store, uploadFolder(us))).filter((p) => p.includes('/~parts/'))).toHaveLength(2);
      const done = await uploadData(bob.client, us.id, data.subarray(after.file_offset));
      expect(done.status).toBe(200);
      expect(done.info!.size).toBe(data.length);
      expect(sha(await download(bob.client, done.info!.id))).toBe(sha(data));
      expect(await allFiles(store, uploadFolder(us))).toEqual([`${uploadFolder(us)}/resumed.bin`]);
    });

    it('takes multipart chunks (the first file part, as Mattermost reads them)', async () => {
      const { bob } = cast;
      const data = randomBytes(6 * MiB);
      const us = await createUploadSession(bob.client, { channel_id: pub.id, filename: 'multi.bin', file_size: data.length });
      const part = (b: Buffer) => {
        const fd = new FormData();
        fd.append('data', new Blob([new Uint8Array(b)]), 'multi.bin');
        return fd;
      };
      expect((await uploadData(bob.client, us.id, part(data.subarray(0, 5 * MiB)))).status).toBe(204);
      const done = await uploadData(bob.client, us.id, part(data.subarray(5 * MiB)));
      expect(done.status).toBe(200);
      expect(sha(await download(bob.client, done.info!.id))).toBe(sha(data));
    });

    it('gives an image its size, thumbnail and preview on completion', async () => {
      const { bob } = cast;
      const png = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#36c' } })
        .png()
        .toBuffer();
      const us = await createUploadSession(bob.client, { channel_id: pub.id, filename: 'blue.png', file_size: png.length });
      const done = await uploadData(bob.client, us.id, png);
      expect(done.info).toMatchObject({ name: 'blue.png', mime_type: 'image/png', width: 300, height: 200, has_preview_image: true });
      expect(done.info!.mini_preview).toEqual(expect.any(String));
      const thumb = await fetch(bob.client.getFileThumbnailUrl(done.info!.id, 0), { headers: { Authorization: `Bearer ${bob.client.getToken()}` } });
      expect(thumb.status).toBe(200);
      expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).toBeLessThanOrEqual(120);
    });
  });
}

// ---- the rules, on the local store --------------------------------------------------------------

describe('resumable uploads: who may, and what is refused', () => {
  let server: TestServer;
  let cast: Cast;
  let pub: Channel;
  let priv: Channel;

  beforeAll(async () => {
    server = await startServer({ MM_FILESETTINGS_MAXFILESIZE: String(MAX_FILE_SIZE) });
    cast = await signUpCast(server);
    ({ pub, priv } = await teamWithChannels(cast, {
      team: { name: `team-ur${Date.now()}`, display_name: 'Upload rules' },
      pub: { name: 'rules-pub', display_name: 'Rules' },
      priv: { name: 'rules-priv', display_name: 'Private rules' },
    }));
  });
  afterAll(() => server?.stop());

  const session = (c: Client4, channelId: string, fileSize = 8 * MiB, filename = 'f.bin') =>
    createUploadSession(c, { channel_id: channelId, filename, file_size: fileSize });

  it('POST /uploads: upload_file in the channel (403 for a non-member and off the team), 413 over MaxFileSize, 400 for bad sessions', async () => {
    const { bob, dave, carol, admin, alice } = cast;
    await fails(session(dave.client, priv.id), 403, PERMISSION);
    await fails(session(dave.client, pub.id), 403, PERMISSION);
    await fails(session(carol.client, pub.id), 403, PERMISSION);
    await fails(session(bob.client, pub.id, MAX_FILE_SIZE + 1), 413, 'api.upload.create.upload_too_large.app_error');
    await fails(session(bob.client, pub.id, 0), 400, 'model.upload_session.is_valid.file_size.app_error');
    await fails(session(bob.client, pub.id, 10, ''), 400, 'model.upload_session.is_valid.filename.app_error');
    await fails(createUploadSession(bob.client, { channel_id: pub.id, filename: 'x', file_size: '10' }), 400, 'api.context.invalid_body_param.app_error');
    // A system admin holds upload_file everywhere: then the channel itself is checked.
    await fails(session(admin.client, 'x'.repeat(26)), 400, 'app.upload.create.incorrect_channel_id.app_error');
    const archived = await alice.client.createChannel({ team_id: pub.team_id, name: 'to-archive', display_name: 'Archive', type: 'O' } as Channel);
    await alice.client.deleteChannel(archived.id);
    await fails(session(alice.client, archived.id), 400, 'app.upload.create.cannot_upload_to_deleted_channel.app_error');
    expect((await session(bob.client, priv.id)).channel_id).toBe(priv.id);
  });

  it("GET /uploads/{id}: the creator's (and a system admin's), 403 for anyone else, 404 for none", async () => {
    const { bob, alice, admin } = cast;
    const us = await session(bob.client, pub.id);
    expect(await getUploadSession(bob.client, us.id)).toEqual(us);
    expect(await getUploadSession(admin.client, us.id)).toEqual(us);
    await fails(getUploadSession(alice.client, us.id), 403, 'api.upload.get_upload.forbidden.app_error');
    await fails(getUploadSession(bob.client, 'a'.repeat(26)), 404, 'app.upload.get.app_error');
    await fails(getUploadSession(bob.client, 'nope'), 400, 'api.context.invalid_url_param.app_error');
  });

  it("POST /uploads/{id}: only the creator's own data (403 even for a system admin), and not more than the file's size (400)", async () => {
    const { bob, alice, admin } = cast;
    const us = await session(bob.client, pub.id, 6 * MiB);
    await fails(uploadData(alice.client, us.id, Buffer.alloc(10)), 403, PERMISSION);
    await fails(uploadData(admin.client, us.id, Buffer.alloc(10)), 403, PERMISSION);
    await fails(uploadData(bob.client, us.id, Buffer.alloc(6 * MiB + 1)), 400, 'api.upload.upload_data.invalid_content_length');
    await fails(uploadData(bob.client, us.id, Buffer.alloc(MiB)), 400, 'app.upload.upload_data.first_part_too_small.app_error');
    expect((await getUploadSession(bob.client, us.id)).file_offset).toBe(0);
    const bad = await fetch(`${server.url}/api/v4/uploads/${us.id}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'Content-Type': 'multipart/form-data;' },
      body: 'x',
    });
    expect(((await bad.json()) as { id: string }).id).toBe('api.upload.upload_data.invalid_content_type');
    expect((await uploadData(bob.client, us.id, Buffer.alloc(5 * MiB, 1))).status).toBe(204);
    await fails(uploadData(bob.client, us.id, Buffer.alloc(MiB + 1)), 400, 'api.upload.upload_data.invalid_content_length');
    // Someone who left the channel may no longer upload into it.
    const mine = await session(cast.bob.client, priv.id, 10);
    await cast.alice.client.removeFromChannel(bob.user.id, priv.id);
    await fails(uploadData(bob.client, mine.id, Buffer.alloc(10)), 403, PERMISSION);
    await cast.alice.client.addToChannel(bob.user.id, priv.id);
  });

  it('one request at a time per upload: a second one while a chunk is being written is refused (400)', async () => {
    const { bob } = cast;
    const data = randomBytes(6 * MiB);
    const us = await session(bob.client, pub.id, data.length);
    expect((await uploadData(bob.client, us.id, data.subarray(0, 5 * MiB))).status).toBe(204);
    /** A chunk that announces the rest and sends 1000 bytes of it, holding the upload. */
    const hold = () => {
      const req = httpRequest(`${server.url}/api/v4/uploads/${us.id}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'Content-Length': String(MiB) },
      });
      let status: number | undefined;
      const answer = new Promise<number>((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          resolve((status = res.statusCode!));
        });
        req.on('error', reject);
      });
      req.write(data.subarray(5 * MiB, 5 * MiB + 1000));
      return { req, answer, answered: () => status !== undefined };
    };
    // Every request takes the upload's lock, the probe too: a held chunk that came in while a probe
    // held it was refused itself, and is sent again.
    let held = hold();
    await eventually(async () => {
      if (held.answered()) held = hold();
      await sleep(200);
      await fails(uploadData(bob.client, us.id, Buffer.alloc(0)), 400, 'app.upload.upload_data.concurrent.app_error');
    }, 20_000);
    held.req.end(data.subarray(5 * MiB + 1000));
    expect(await held.answer).toBe(200);
    await fails(getUploadSession(bob.client, us.id), 404, 'app.upload.get.app_error');
  });

  it('a first chunk cut off past 5 MiB keeps what arrived; one cut off before keeps nothing (Mattermost: the first part must stand as one)', async () => {
    const { bob } = cast;
    const data = randomBytes(8 * MiB);
    const us = await session(bob.client, pub.id, data.length);
    await cutOffChunk(server, bob.client, us.id, data.subarray(0, MiB), data.length);
    await eventually(() => fails(uploadData(bob.client, us.id, Buffer.alloc(0)), 400, 'app.upload.upload_data.first_part_too_small.app_error'), 10_000);
    expect((await getUploadSession(bob.client, us.id)).file_offset).toBe(0);
    await cutOffChunk(server, bob.client, us.id, data.subarray(0, 6 * MiB), data.length);
    const after = await settledAfterCut(bob.client, us.id, 0);
    expect(after.file_offset).toBeGreaterThanOrEqual(5 * MiB);
    const done = await uploadData(bob.client, us.id, data.subarray(after.file_offset));
    expect(sha(await download(bob.client, done.info!.id))).toBe(sha(data));
  });

  it("GET /users/{id}/uploads: one's own unfinished uploads only (403 for anyone else's, even a system admin)", async () => {
    const { dave, alice, admin } = cast;
    await alice.client.addToChannel(dave.user.id, pub.id);
    expect(await getUploadsForUser(dave.client, dave.user.id)).toEqual([]);
    const a = await session(dave.client, pub.id, 100, 'a.txt');
    const b = await session(dave.client, pub.id, 3, 'b.txt');
    expect((await uploadData(dave.client, b.id, Buffer.from('abc'))).status).toBe(200);
    expect(await getUploadsForUser(dave.client, 'me')).toEqual([a]);
    await fails(getUploadsForUser(admin.client, dave.user.id), 403, 'api.user.get_uploads_for_user.forbidden.app_error');
    await fails(getUploadsForUser(alice.client, dave.user.id), 403, 'api.user.get_uploads_for_user.forbidden.app_error');
  });

  it('EnableFileAttachments off: 501 for new sessions and for data', async () => {
    const { bob, admin } = cast;
    const us = await session(bob.client, pub.id, 3);
    await admin.client.patchConfig({ FileSettings: { EnableFileAttachments: false } } as any);
    try {
      await fails(session(bob.client, pub.id), 501, 'api.file.attachments.disabled.app_error');
      await fails(uploadData(bob.client, us.id, Buffer.from('abc')), 501, 'api.file.attachments.disabled.app_error');
    } finally {
      await admin.client.patchConfig({ FileSettings: { EnableFileAttachments: true } } as any);
    }
    expect((await uploadData(bob.client, us.id, Buffer.from('abc'))).status).toBe(200);
  });
});
