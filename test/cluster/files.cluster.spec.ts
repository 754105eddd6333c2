/**
 * Attachments in a cluster with the local file store on one directory that every node mounts
 * (NFS in production, one folder here): a file uploaded through node 1 is served by node 3, its
 * bytes, thumbnail and preview identical; and the upload size limits as a client meets them
 * through nginx running deploy/nginx/mattermost-cluster.conf: a file of exactly
 * FileSettings.MaxFileSize passes nginx, a file just over it gets the node's JSON 413, and only a
 * body over nginx's client_max_body_size gets nginx's HTML 413 (see deploy/nginx/README.md).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, NGINX_DEPLOY_DIR, type NewUser, type Target, type TestCluster } from '#testing';
import { channelWith, startFormedCluster, teamWith } from './cluster-fixtures.js';

const TOO_LARGE = 'api.file.upload_file.too_large_detailed.app_error';

let cluster: TestCluster;
let admin: NewUser;
let member: NewUser;
let channel: Channel;

beforeAll(async () => {
  ({ cluster, admin } = await startFormedCluster());
  member = await cluster.newUser({ via: 0 });
  channel = await channelWith(admin, await teamWith(admin, [member]), 'O', [member]);
});

afterAll(() => cluster?.stop());

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * POST /api/v4/files as the web app's FormData sends it (channel_id, the file, a client id),
 * written from one buffer so that a 100 MiB file is not copied into a Blob first.
 */
function uploadMultipart(target: Target, token: string, channelId: string, name: string, data: Buffer): Promise<Answer> {
  const boundary = '----mmchatClusterFiles7MA4YWxkTrZu0gW';
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="channel_id"\r\n\r\n${channelId}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="client_ids"\r\n\r\nc1\r\n--${boundary}--\r\n`);
  return send(target, {
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + data.length + tail.length },
    token,
    write: (req) => {
      req.write(head);
      req.write(data);
      req.end(tail);
    },
  });
}

function send(
  target: Target,
  opts: { token: string; headers: Record<string, string | number>; path?: string; write: (req: ReturnType<typeof request>) => void },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${cluster.url(target)}${opts.path ?? '/api/v4/files'}`,
      { method: 'POST', headers: { Authorization: `Bearer ${opts.token}`, 'X-Requested-With': 'XMLHttpRequest', ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode!, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
          // nginx may answer before the body was sent (a 413 from Content-Length): nothing more to send.
          req.destroy();
        });
        res.on('error', reject);
      },
    );
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    opts.write(req);
  });
}

/** GET a file route on one node as `user`: status, type and bytes. */
async function download(target: Target, user: NewUser, path: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  const res = await fetch(`${cluster.url(target)}/api/v4/files/${path}`, { headers: { Authorization: `Bearer ${user.client.getToken()}` } });
  return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** client_max_body_size of the shipped config, in bytes (nginx's k/m/g are powers of 1024). */
function nginxBodyLimit(): number {
  const conf = readFileSync(join(NGINX_DEPLOY_DIR, 'mattermost-cluster.conf'), 'utf8');
  const m = /^\s*client_max_body_size\s+(\d+)([kKmMgG]?);/m.exec(conf);
  if (!m) throw new Error('no client_max_body_size in mattermost-cluster.conf');
  return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
}

describe('the shared local store', () => {
  it('serves on node 3 a file uploaded through node 1: the same bytes, thumbnail and preview', async () => {
    // A photo-like JPEG (gradient and grain, 1600×1200: it gets a preview smaller than itself) and a binary file.
    const { data: grain } = await sharp({
      create: { width: 1600, height: 1200, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const photo = await sharp(grain, { raw: { width: 1600, height: 1200, channels: 3 } })
      .blur(2)
      .jpeg({ quality: 85 })
      .toBuffer();
    const binary = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));

    const onNode1 = cluster.clientAs(admin, 0);
    const form = new FormData();
    form.append('channel_id', channel.id);
    form.append('files', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('files', new Blob([new Uint8Array(binary)]), 'data.bin');
    const uploaded = (await onNode1.uploadFile(form)).file_infos;
    const [image, file] = uploaded as FileInfo[];
    expect(image).toMatchObject({ name: 'photo.jpg', width: 1600, height: 1200, has_preview_image: true, size: photo.length });
    expect(file).toMatchObject({ name: 'data.bin', size: binary.length });

    // Node 3 (index 2) never saw the upload; a channel member who is not the uploader reads there.
    for (const [info, bytes] of [
      [image, photo],
      [file, binary],
    ] as const) {
      const got = await download(2, member, info.id);
      expect(got.status).toBe(200);
      expect(sha256(got.bytes)).toBe(sha256(bytes));
      const meta = await fetch(`${cluster.url(2)}/api/v4/files/${info.id}/info`, { headers: { Authorization: `Bearer ${member.client.getToken()}` } });
      expect(await meta.json()).toMatchObject({ id: info.id, size: info.size, channel_id: channel.id });
    }
    for (const kind of ['thumbnail', 'preview']) {
      const fromNode1 = await download(0, admin, `${image.id}/${kind}`);
      const fromNode3 = await download(2, member, `${image.id}/${kind}`);
      expect([fromNode1.status, fromNode3.status]).toEqual([200, 200]);
      expect(fromNode3.type).toBe('image/jpeg');
      expect(sha256(fromNode3.bytes)).toBe(sha256(fromNode1.bytes));
      const { width, height } = await sharp(fromNode3.bytes).metadata();
      expect(kind === 'thumbnail' ? [width! <= 120, height! <= 100] : [width, height]).toEqual(kind === 'thumbnail' ? [true, true] : [1600, 1200]);
    }
  });
});

describe('upload limits through nginx', () => {
  it('lets a file of exactly MaxFileSize through, answers a larger one with the node’s JSON 413, and a body over client_max_body_size with nginx’s own', async () => {
    const max = Number((await admin.client.getClientConfig()).MaxFileSize);
    const limit = nginxBodyLimit();
    // The shipped config leaves room for the multipart framing around a file of MaxFileSize.
    expect(limit).toBeGreaterThan(max);
    const token = admin.client.getToken();
    const data = Buffer.alloc(max + 1, 0x5a);

    const exact = await uploadMultipart('nginx', token, channel.id, 'exact.bin', data.subarray(0, max));
    expect(exact.status, exact.body.toString().slice(0, 300)).toBe(201);
    const stored = JSON.parse(exact.body.toString()).file_infos[0] as FileInfo;
    expect(stored.size).toBe(max);
    const meta = await fetch(`${cluster.url(2)}/api/v4/files/${stored.id}/info`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await meta.json()) as FileInfo).size).toBe(max);

    const over = await uploadMultipart('nginx', token, channel.id, 'over.bin', data);
    expect(over.status).toBe(413);
    expect(over.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(over.body.toString())).toMatchObject({ id: TOO_LARGE, status_code: 413 });

    // Over nginx's limit: refused from the declared length, before any of the body is sent.
    const huge = await send('nginx', {
      token,
      path: `/api/v4/files?channel_id=${channel.id}&filename=huge.bin`,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': limit + 1 },
      write: (req) => req.flushHeaders(),
    });
    expect(huge.status).toBe(413);
    expect(huge.contentType).toMatch(/^text\/html/);
    expect(huge.body.toString()).toContain('413 Request Entity Too Large');

    // Who answered: a node for the first two (nginx logs its upstream), nginx alone for the last.
    const answers = () =>
      cluster
        .nginx!.accessLog()
        .filter((e) => e.method === 'POST' && e.uri.startsWith('/api/v4/files'))
        .map((e) => [e.status, e.upstreamStatus]);
    await eventually(async () => expect(answers()).toHaveLength(3), 10_000);
    expect(answers()).toEqual([
      [201, '201'],
      [413, '413'],
      [413, ''],
    ]);
  });
});
