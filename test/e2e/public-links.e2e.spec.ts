/**
 * Public file links: GET /api/v4/files/{id}/link (EnablePublicLink, readers of the file, attached
 * files only) and the link itself, GET /files/{id}/public?h= at the site's root, opened without a
 * session. A link dies with a wrong hash, a new salt, public links turned off or the file deleted
 * with its post: browsers land on the web app's error page, apps (X-Mobile-App) get the JSON error.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { FileInfo } from '@mattermost/types/files';
import { startServer, TestServer } from '#testing';
import { Cast, PERMISSION, signUpCast, teamWithChannels } from './fixtures.js';

let server: TestServer;
let cast: Cast;
let priv: Channel;

const SALT = 'a-public-link-salt-of-32-chars!!';
const OTHER_SALT = 'another-salt-also-32-characters!';

beforeAll(async () => {
  server = await startServer();
  cast = await signUpCast(server);
  ({ priv } = await teamWithChannels(cast, {
    team: { name: `team-pl${Date.now()}`, display_name: 'Links' },
    pub: { name: 'links-pub', display_name: 'Links' },
    priv: { name: 'links-priv', display_name: 'Private links' },
  }));
});
afterAll(() => server?.stop());

const publicLinks = (enable: boolean, salt?: string) =>
  cast.admin.client.patchConfig({ FileSettings: { EnablePublicLink: enable, ...(salt ? { PublicLinkSalt: salt } : {}) } } as any);

const getFileLink = (c: Client4, fileId: string): Promise<{ link: string }> => (c as any).doFetch(`${c.getFileRoute(fileId)}/link`, { method: 'get' });

async function fails(call: Promise<unknown>, status: number, id: string): Promise<void> {
  const err = await call.then(
    () => undefined,
    (e: { status_code: number; server_error_id: string }) => e,
  );
  expect(err).toMatchObject({ status_code: status, server_error_id: id });
}

/** Mattermost's GeneratePublicLinkHash, written out here to check the server's against it. */
const expectedHash = (fileId: string, salt: string) => createHash('sha256').update(salt).update(fileId).digest('base64url');

/** A file alice uploads to the private channel and, unless `attach` is false, posts there. */
async function aliceFile(name: string, data: string, attach = true): Promise<{ info: FileInfo; postId?: string }> {
  const fd = new FormData();
  fd.append('channel_id', priv.id);
  fd.append('files', new Blob([data]), name);
  const info = (await cast.alice.client.uploadFile(fd)).file_infos[0];
  if (!attach) return { info };
  const post = await cast.alice.client.createPost({ channel_id: priv.id, message: `file ${name}`, file_ids: [info.id] } as any);
  expect(post.file_ids).toEqual([info.id]);
  return { info, postId: post.id };
}

/** Opens a link as a browser would: no session, redirects not followed. */
const open = (url: string, headers: Record<string, string> = {}) => fetch(url, { redirect: 'manual', headers });

/** An answer that is the web app's error page with this status and message. */
async function errorPage(res: Response, status: number, message: RegExp): Promise<void> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const page = await res.text();
  const target = /url=([^"]+)"/.exec(page)?.[1] ?? '';
  expect(target.startsWith('/error?message=')).toBe(true);
  expect(new URLSearchParams(target.replace(/&#38;/g, '&').slice('/error?'.length)).get('message')).toMatch(message);
}

describe('public links', () => {
  it('are off by default: /link answers 403 and no link opens', async () => {
    const { info } = await aliceFile('off.txt', 'off');
    await fails(getFileLink(cast.alice.client, info.id), 403, 'api.file.get_public_link.disabled.app_error');
    const res = await open(`${server.url}/files/${info.id}/public?h=${expectedHash(info.id, SALT)}`);
    await errorPage(res, 403, /disabled/);
  });

  it('give readers of an attached file a link at the site root, signed as Mattermost signs it, that opens without a session', async () => {
    await publicLinks(true, SALT);
    const { info } = await aliceFile('report.txt', 'the public report');
    const { link } = await getFileLink(cast.bob.client, info.id);
    expect(link).toBe(`${server.url}/files/${info.id}/public?h=${expectedHash(info.id, SALT)}`);
    expect(await getFileLink(cast.alice.client, info.id)).toEqual({ link });
    const res = await open(link);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('the public report');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment;filename="report.txt"/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    // Ranges work as on the API route; there is no /api/v4 variant of the public route.
    expect(await (await open(link, { Range: 'bytes=4-9' })).text()).toBe('public');
    expect((await open(`${server.url}/api/v4/files/${info.id}/public?h=${expectedHash(info.id, SALT)}`)).status).toBe(404);
  });

  it('are refused to non-readers (403), for unattached files (400) and unknown files (404)', async () => {
    const { info } = await aliceFile('secret.txt', 'secret');
    await fails(getFileLink(cast.dave.client, info.id), 403, PERMISSION);
    await fails(getFileLink(cast.carol.client, info.id), 403, PERMISSION);
    const loose = await aliceFile('loose.txt', 'not posted', false);
    await fails(getFileLink(cast.alice.client, loose.info.id), 400, 'api.file.get_public_link.no_post.app_error');
    await fails(getFileLink(cast.alice.client, 'f'.repeat(26)), 404, 'app.file_info.get.app_error');
    expect((await fetch(`${server.url}/api/v4/files/${info.id}/link`)).status).toBe(401);
  });

  it('die with a wrong or missing hash (400: the error page for browsers, the JSON error for apps)', async () => {
    const { info } = await aliceFile('hashed.txt', 'hashed');
    const { link } = await getFileLink(cast.alice.client, info.id);
    const good = new URL(link).searchParams.get('h')!;
    const wrong = `${good.slice(0, -1)}${good.endsWith('A') ? 'B' : 'A'}`;
    await errorPage(await open(`${server.url}/files/${info.id}/public?h=${wrong}`), 400, /not.*valid/i);
    await errorPage(await open(`${server.url}/files/${info.id}/public`), 400, /not.*valid/i);
    await errorPage(await open(`${server.url}/files/${info.id}/public?h=${good}extra`), 400, /not.*valid/i);
    // Another file's hash does not open this one.
    const other = await aliceFile('other.txt', 'other');
    await errorPage(await open(`${server.url}/files/${info.id}/public?h=${expectedHash(other.info.id, SALT)}`), 400, /not.*valid/i);
    const app = await open(`${server.url}/files/${info.id}/public?h=${wrong}`, { 'X-Mobile-App': 'mattermost' });
    expect(app.status).toBe(400);
    expect(await app.json()).toMatchObject({ id: 'api.file.get_file.public_invalid.app_error', status_code: 400 });
  });

  it('die when the salt changes (new links then work), and while public links are off', async () => {
    const { info } = await aliceFile('salted.txt', 'salted');
    const { link } = await getFileLink(cast.alice.client, info.id);
    expect((await open(link)).status).toBe(200);
    await publicLinks(true, OTHER_SALT);
    await errorPage(await open(link), 400, /not.*valid/i);
    const fresh = await getFileLink(cast.alice.client, info.id);
    expect(fresh.link).toBe(`${server.url}/files/${info.id}/public?h=${expectedHash(info.id, OTHER_SALT)}`);
    expect(await (await open(fresh.link)).text()).toBe('salted');
    await publicLinks(false);
    try {
      await errorPage(await open(fresh.link), 403, /disabled/);
      await fails(getFileLink(cast.alice.client, info.id), 403, 'api.file.get_public_link.disabled.app_error');
    } finally {
      await publicLinks(true);
    }
    expect((await open(fresh.link)).status).toBe(200);
  });

  it('die with the file: deleting its post makes the link 404', async () => {
    const { info, postId } = await aliceFile('gone.txt', 'gone soon');
    const { link } = await getFileLink(cast.alice.client, info.id);
    expect((await open(link)).status).toBe(200);
    await cast.alice.client.deletePost(postId!);
    await errorPage(await open(link), 404, /file info/i);
    await fails(getFileLink(cast.alice.client, info.id), 404, 'app.file_info.get.app_error');
  });
});
