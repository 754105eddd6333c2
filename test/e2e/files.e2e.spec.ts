import { request as httpRequest } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import { databasePool, NewUser, startServer, TestServer } from '#testing';
import { PERMISSION, signUpCast, teamWithChannels } from './fixtures.js';

const MAX_FILE_SIZE = 300_000;
let server: TestServer;
// fixtures.ts: alice and bob are in pub and priv, dave is on the team in no channel, carol is not on the team.
let alice: NewUser, bob: NewUser, dave: NewUser, carol: NewUser;
let pub: Channel, priv: Channel;

beforeAll(async () => {
  server = await startServer({ MM_FILESETTINGS_MAXFILESIZE: String(MAX_FILE_SIZE) });
  const cast = await signUpCast(server);
  ({ alice, bob, dave, carol } = cast);
  ({ pub, priv } = await teamWithChannels(cast, {
    team: { name: `team-f${Date.now()}`, display_name: 'Files' },
    pub: { name: 'files-pub', display_name: 'Files' },
    priv: { name: 'files-priv', display_name: 'Private files' },
  }));
});
afterAll(() => server?.stop());

function form(channelId: string, files: { name: string; data: Buffer | string; type?: string }[], clientIds: string[] = []): FormData {
  const fd = new FormData();
  fd.append('channel_id', channelId);
  for (const f of files)
    fd.append('files', new Blob([typeof f.data === 'string' ? f.data : new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name);
  for (const id of clientIds) fd.append('client_ids', id);
  return fd;
}

async function countRows(s: TestServer, where: string): Promise<number> {
  const pool = databasePool(s.database, 1);
  try {
    return (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM file_infos WHERE ${where}`)).rows[0].n;
  } finally {
    await pool.end();
  }
}

/** A Client4 call that must fail with this status and error id. */
async function fails(call: Promise<unknown>, status: number, id: string): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: { status_code: number; server_error_id: string }) => e,
  );
  expect(err).toMatchObject({ status_code: status, server_error_id: id });
}

const fileInfo = (c: Client4, id: string) => (c as any).doFetch(`${c.getFileRoute(id)}/info`, { method: 'get' });
const upload = async (c: Client4, channelId: string, name: string, data: Buffer | string) =>
  (await c.uploadFile(form(channelId, [{ name, data }]))).file_infos[0];
const get = (c: Client4, url: string, headers: Record<string, string> = {}) => fetch(url, { headers: { Authorization: `Bearer ${c.getToken()}`, ...headers } });

describe('uploading', () => {
  it('stores several files in one multipart request and answers file_infos with client_ids (201)', async () => {
    const res = await bob.client.uploadFile(
      form(
        priv.id,
        [
          { name: 'notes.txt', data: 'hello files' },
          { name: 'data.bin', data: Buffer.alloc(5000, 7) },
        ],
        ['c1', 'c2'],
      ),
    );
    expect(res.client_ids).toEqual(['c1', 'c2']);
    expect(res.file_infos).toHaveLength(2);
    expect(res.file_infos[0]).toMatchObject({
      user_id: bob.user.id,
      channel_id: priv.id,
      post_id: '',
      name: 'notes.txt',
      extension: 'txt',
      size: 11,
      delete_at: 0,
    });
    expect(res.file_infos[1]).toMatchObject({ name: 'data.bin', extension: 'bin', size: 5000, has_preview_image: false });
    const info = await fileInfo(bob.client, res.file_infos[0].id);
    expect(info).toEqual(res.file_infos[0]);
    const body = await get(bob.client, bob.client.getFileUrl(res.file_infos[0].id, 0));
    expect(body.status).toBe(200);
    expect(await body.text()).toBe('hello files');
  });

  it('takes the raw-body form with ?channel_id=&filename=', async () => {
    const res = await fetch(`${server.url}/api/v4/files?channel_id=${pub.id}&filename=raw.txt`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'Content-Type': 'text/plain' },
      body: 'raw body',
    });
    expect(res.status).toBe(201);
    const { file_infos } = await res.json();
    expect(file_infos[0]).toMatchObject({ name: 'raw.txt', size: 8, channel_id: pub.id });
  });

  it('keeps a path-traversal name as a plain name', async () => {
    const info = await upload(bob.client, pub.id, '../../etc/passwd', 'not the passwd');
    expect(info.name).toBe('passwd');
    const res = await get(bob.client, bob.client.getFileUrl(info.id, 0));
    expect(await res.text()).toBe('not the passwd');
    expect(res.headers.get('content-disposition')).toBe(`attachment;filename="passwd"; filename*=UTF-8''passwd`);
  });

  it('refuses non-members (403), files over MaxFileSize (413), channel_id after the files (400)', async () => {
    await fails(dave.client.uploadFile(form(priv.id, [{ name: 'a.txt', data: 'x' }])), 403, PERMISSION);
    await fails(carol.client.uploadFile(form(pub.id, [{ name: 'a.txt', data: 'x' }])), 403, PERMISSION);
    await fails(
      bob.client.uploadFile(form(pub.id, [{ name: 'big.bin', data: Buffer.alloc(MAX_FILE_SIZE + 1) }])),
      413,
      'api.file.upload_file.too_large_detailed.app_error',
    );
    const late = new FormData();
    late.append('files', new Blob(['x']), 'a.txt');
    late.append('channel_id', pub.id);
    await fails(bob.client.uploadFile(late), 400, 'api.file.upload_file.multipart.app_error');
    const raw = await fetch(`${server.url}/api/v4/files?channel_id=${pub.id}&filename=big.bin`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bob.client.getToken()}` },
      body: Buffer.alloc(MAX_FILE_SIZE + 1),
    });
    expect(raw.status).toBe(413);
  });

  it('takes a file of exactly MaxFileSize in both forms (the limit is "larger than", as Mattermost)', async () => {
    const exact = await upload(bob.client, pub.id, 'exact.bin', Buffer.alloc(MAX_FILE_SIZE, 1));
    expect(exact.size).toBe(MAX_FILE_SIZE);
    const raw = await fetch(`${server.url}/api/v4/files?channel_id=${pub.id}&filename=exact-raw.bin`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${bob.client.getToken()}` },
      body: Buffer.alloc(MAX_FILE_SIZE, 2),
    });
    expect(raw.status).toBe(201);
  });

  it('an upload cut off in the middle leaves no FileInfo and the server keeps serving', async () => {
    const boundary = 'cutoffboundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="channel_id"\r\n\r\n${pub.id}\r\n--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="cut.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${server.url}/api/v4/files`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${bob.client.getToken()}`, 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': '200000' },
      });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write(head);
      req.write(Buffer.alloc(50_000, 1), () => setTimeout(() => req.destroy(), 200));
    });
    // Nothing was recorded: bob's next upload is the only one with this name pattern, and the server answers.
    const info = await upload(bob.client, pub.id, 'after.txt', 'still alive');
    expect(info.size).toBe(11);
    expect(await countRows(server, "name = 'cut.bin'")).toBe(0);
  });
});

describe('serving', () => {
  it('only the channel members and the uploader read a file; others get 403, unknown ids 404', async () => {
    const info = await upload(alice.client, priv.id, 'secret.txt', 'secret');
    expect((await get(bob.client, bob.client.getFileUrl(info.id, 0))).status).toBe(200);
    expect((await get(dave.client, dave.client.getFileUrl(info.id, 0))).status).toBe(403);
    expect((await get(carol.client, carol.client.getFileUrl(info.id, 0))).status).toBe(403);
    await fails(fileInfo(dave.client, info.id), 403, PERMISSION);
    expect((await fetch(bob.client.getFileUrl(info.id, 0))).status).toBe(401);
    await fails(fileInfo(bob.client, 'a'.repeat(26)), 404, 'app.file_info.get.app_error');
  });

  it('serves media inline, the rest as attachments, scripts as text/plain, ?download=1 forces an attachment', async () => {
    const html = await upload(bob.client, pub.id, "página (x)'s.html", '<script>alert(1)</script>');
    const res = await get(bob.client, bob.client.getFileUrl(html.id, 0));
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.headers.get('content-disposition')).toBe(
      `attachment;filename="p%C3%A1gina%20%28x%29%27s.html"; filename*=UTF-8''p%C3%A1gina%20%28x%29%27s.html`,
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#f00' } })
      .png()
      .toBuffer();
    const image = await upload(bob.client, pub.id, 'red.png', png);
    const inline = await get(bob.client, bob.client.getFileUrl(image.id, 0));
    expect(inline.headers.get('content-type')).toBe('image/png');
    expect(inline.headers.get('content-disposition')).toMatch(/^inline;/);
    const forced = await get(bob.client, `${server.url}/api/v4/files/${image.id}?download=1`);
    expect(forced.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('answers byte ranges with 206 and Content-Range, and 416 past the end', async () => {
    const info = await upload(bob.client, pub.id, 'song.mp3', '0123456789');
    const part = await get(bob.client, bob.client.getFileUrl(info.id, 0), { Range: 'bytes=2-5' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
    expect(part.headers.get('accept-ranges')).toBe('bytes');
    expect(await part.text()).toBe('2345');
    const tail = await get(bob.client, bob.client.getFileUrl(info.id, 0), { Range: 'bytes=-3' });
    expect(await tail.text()).toBe('789');
    const past = await get(bob.client, bob.client.getFileUrl(info.id, 0), { Range: 'bytes=10-' });
    expect(past.status).toBe(416);
  });
});

describe('files of a post', () => {
  it('GET /posts/{id}/files/info answers the channel readers, 404 for a deleted post', async () => {
    const p = await alice.client.createPost({ channel_id: priv.id, message: 'files here' } as any);
    expect(await bob.client.getFileInfosForPost(p.id)).toEqual([]);
    await fails(dave.client.getFileInfosForPost(p.id), 403, PERMISSION);
    await alice.client.deletePost(p.id);
    await fails(bob.client.getFileInfosForPost(p.id), 404, 'app.post.get.app_error');
  });
});

describe('images', () => {
  it('stores width and height after EXIF orientation, a thumbnail in 120x100, a 1920 preview and a 16x16 mini preview', async () => {
    // 3000x2000 landscape pixels, EXIF orientation 6 (rotate 90°): shown as 2000x3000.
    const jpeg = await sharp({ create: { width: 3000, height: 2000, channels: 3, background: '#3366cc' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const info = await upload(bob.client, pub.id, 'photo.jpg', jpeg);
    expect(info).toMatchObject({ width: 2000, height: 3000, has_preview_image: true, mime_type: 'image/jpeg' });
    const mini = await sharp(Buffer.from(info.mini_preview!, 'base64')).metadata();
    expect([mini.format, mini.width, mini.height]).toEqual(['jpeg', 16, 16]);
    const thumb = await sharp(Buffer.from(await (await get(bob.client, bob.client.getFileThumbnailUrl(info.id, 0))).arrayBuffer())).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', 67, 100]);
    const preview = await sharp(Buffer.from(await (await get(bob.client, bob.client.getFilePreviewUrl(info.id, 0))).arrayBuffer())).metadata();
    expect([preview.format, preview.width, preview.height]).toEqual(['jpeg', 1920, 2880]);
    expect((await get(dave.client, dave.client.getFileThumbnailUrl(info.id, 0))).status).toBe(403);
  });

  it('an animated GIF keeps its first frame', async () => {
    const frames = await sharp({ create: { width: 40, height: 80, channels: 4, background: '#00ff00' } })
      .gif()
      .toBuffer();
    const gif = await sharp(frames, { animated: true }).gif({ loop: 0 }).toBuffer();
    const info = await upload(bob.client, pub.id, 'anim.gif', gif);
    expect(info).toMatchObject({ width: 40, height: 80, has_preview_image: true });
  });

  it('a file without a preview answers 400 on /thumbnail', async () => {
    const info = await upload(bob.client, pub.id, 'plain.txt', 'no image');
    const res = await get(bob.client, bob.client.getFileThumbnailUrl(info.id, 0));
    expect(res.status).toBe(400);
    expect((await res.json()).id).toBe('api.file.get_file_thumbnail.no_thumbnail.app_error');
  });

  it('refuses a 20-megapixel PNG bomb and a truncated JPEG with a clear 400, storing nothing', async () => {
    const bomb = await sharp({ create: { width: 5000, height: 4000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(MAX_FILE_SIZE);
    const small = await startServer({ MM_FILESETTINGS_MAXIMAGERESOLUTION: '10000000' });
    try {
      const u = await small.newUser();
      const team = await u.client.createTeam({ name: `bomb${Date.now()}`, display_name: 'Bomb', type: 'O' } as any);
      const ch = await u.client.createChannel({ team_id: team.id, name: 'bomb', display_name: 'Bomb', type: 'O' } as Channel);
      await fails(u.client.uploadFile(form(ch.id, [{ name: 'bomb.png', data: bomb }])), 400, 'api.file.upload_file.large_image_detailed.app_error');
      expect(await countRows(small, 'true')).toBe(0);
    } finally {
      await small.stop();
    }
    const jpeg = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#abcdef' } })
      .jpeg()
      .toBuffer();
    await fails(
      bob.client.uploadFile(form(pub.id, [{ name: 'cut.jpg', data: jpeg.subarray(0, Math.floor(jpeg.length / 2)) }])),
      400,
      'api.file.upload_file.image_decode.app_error',
    );
    // The server is still up.
    expect((await upload(bob.client, pub.id, 'ok.txt', 'ok')).size).toBe(2);
  });
});

describe('files on posts', () => {
  it('a post takes its files: file_ids, metadata.files, GET /posts/{id}/files/info, the channel stats and the posted event', async () => {
    const [a, b] = (
      await bob.client.uploadFile(
        form(pub.id, [
          { name: 'one.txt', data: 'one' },
          { name: 'two.txt', data: 'two' },
        ]),
      )
    ).file_infos;
    const statsBefore = await alice.client.getChannelStats(pub.id, true);
    const post = await bob.client.createPost({ channel_id: pub.id, message: 'two files', file_ids: [a.id, b.id] } as any);
    expect(post.file_ids).toEqual([a.id, b.id]);
    expect(post.metadata.files!.map((f) => [f.id, f.post_id, f.name])).toEqual([
      [a.id, post.id, 'one.txt'],
      [b.id, post.id, 'two.txt'],
    ]);
    expect((await alice.client.getPost(post.id)).metadata.files!.map((f) => f.id)).toEqual([a.id, b.id]);
    const listed = await alice.client.getPosts(pub.id, 0, 10);
    expect(listed.posts[post.id].metadata.files).toHaveLength(2);
    expect((await alice.client.getFileInfosForPost(post.id)).map((f) => f.id)).toEqual([a.id, b.id]);
    expect((await alice.client.getChannelStats(pub.id, true)).files_count).toBe(statsBefore.files_count + 2);
  });

  it("leaves out files the poster did not upload or that another post has, as Mattermost's attachFilesToPost", async () => {
    const alices = await upload(alice.client, pub.id, 'alices.txt', 'mine');
    const bobs = await upload(bob.client, pub.id, 'bobs.txt', 'mine');
    const post = await bob.client.createPost({ channel_id: pub.id, message: 'taking', file_ids: [alices.id, bobs.id] } as any);
    expect(post.file_ids).toEqual([bobs.id]);
    expect((await fileInfo(alice.client, alices.id)).post_id).toBe('');
    const second = await bob.client.createPost({ channel_id: pub.id, message: 'again', file_ids: [bobs.id] } as any);
    expect(second.file_ids).toEqual([]);
    // The posts as stored say the same.
    expect((await bob.client.getPost(post.id)).file_ids).toEqual([bobs.id]);
    expect((await bob.client.getPost(second.id)).file_ids ?? []).toEqual([]);
  });

  it('a file uploaded to a private channel and posted to a public one moves there; its old channel no longer decides', async () => {
    const secret = await upload(bob.client, priv.id, 'moved.txt', 'moved');
    const post = await bob.client.createPost({ channel_id: pub.id, message: 'moved', file_ids: [secret.id] } as any);
    expect(post.metadata.files![0].channel_id).toBe(pub.id);
    // dave is on the team but in no channel: a public channel's file is still for members only.
    expect((await get(dave.client, dave.client.getFileUrl(secret.id, 0))).status).toBe(403);
    expect((await get(alice.client, alice.client.getFileUrl(secret.id, 0))).status).toBe(200);
  });

  it('deleting the post deletes its files for users: GET /files/{id} and /info answer 404', async () => {
    const info = await upload(bob.client, pub.id, 'gone.txt', 'gone');
    const post = await bob.client.createPost({ channel_id: pub.id, message: 'soon gone', file_ids: [info.id] } as any);
    expect((await get(alice.client, alice.client.getFileUrl(info.id, 0))).status).toBe(200);
    await bob.client.deletePost(post.id);
    expect((await get(alice.client, alice.client.getFileUrl(info.id, 0))).status).toBe(404);
    expect((await get(bob.client, bob.client.getFileUrl(info.id, 0))).status).toBe(404);
    await fails(fileInfo(bob.client, info.id), 404, 'app.file_info.get.app_error');
    expect(await countRows(server, `id = '${info.id}' AND delete_at > 0`)).toBe(1);
  });

  it('an edit swaps files: the new one is attached, the removed one is deleted', async () => {
    const [a, b] = (
      await bob.client.uploadFile(
        form(pub.id, [
          { name: 'a.txt', data: 'a' },
          { name: 'b.txt', data: 'b' },
        ]),
      )
    ).file_infos;
    const post = await bob.client.createPost({ channel_id: pub.id, message: 'edit me', file_ids: [a.id] } as any);
    const edited = await bob.client.patchPost({ id: post.id, file_ids: [b.id] } as any);
    expect(edited.file_ids).toEqual([b.id]);
    expect(edited.metadata.files!.map((f) => f.id)).toEqual([b.id]);
    expect((await get(bob.client, bob.client.getFileUrl(a.id, 0))).status).toBe(404);
  });
});
