/**
 * Link previews against a real web server on loopback: POST /opengraph, the embeds and image sizes
 * of posts, the SSRF guard (the server may reach 127.0.0.1 only because
 * AllowedUntrustedInternalConnections lists it; `localhost` resolves to the same address but is not
 * listed, so it is refused), and the local image proxy.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client4 } from '@mattermost/client';
import type { Channel } from '@mattermost/types/channels';
import type { Post } from '@mattermost/types/posts';
import type { Team } from '@mattermost/types/teams';
import { expectClientError, startServer, type NewUser, type TestServer, type TestSocket } from '#testing';
import { gif, png } from '../../apps/server/src/previews/image.fixtures.js';

let web: Server;
let base: string;
let port: number;
const hits = new Map<string, number>();

let server: TestServer;
let admin: NewUser, alice: NewUser;
let team: Team, channel: Channel;
let socket: TestSocket;

const page = (title: string, image: string) => `<!doctype html><html><head>
<meta property="og:title" content="${title}"><meta property="og:type" content="article">
<meta property="og:description" content="About ${title}"><meta property="og:site_name" content="Local">
<meta property="og:url" content="/canonical"><meta property="og:image" content="${image}"><meta property="article:tag" content="local">
</head><body><p>body</p></body></html>`;

function serve(path: string, res: import('node:http').ServerResponse) {
  if (path.startsWith('/page')) return res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page(`Page ${path}`, '/img/photo.png'));
  if (path === '/img/photo.png') return res.writeHead(200, { 'Content-Type': 'image/png', ETag: '"photo"' }).end(png(64, 48));
  if (path === '/img/anim.gif') return res.writeHead(200, { 'Content-Type': 'image/gif' }).end(gif(3, 5, 4));
  if (path === '/img/untyped') return res.writeHead(200).end(png(7, 9));
  if (path === '/img/vector.svg')
    return res.writeHead(200, { 'Content-Type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>');
  if (path === '/hop') return res.writeHead(302, { Location: '/page-after-redirect' }).end();
  if (path === '/text') return res.writeHead(200, { 'Content-Type': 'text/plain' }).end('plain');
  res.writeHead(404).end();
}

const openGraph = (c: Client4, url: unknown) =>
  (c as any).doFetch(`${c.getBaseRoute()}/opengraph`, { method: 'post', body: JSON.stringify({ url }) }) as Promise<Record<string, any>>;
const image = (token: string | undefined, url: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/v4/image?url=${encodeURIComponent(url)}`, {
    headers: token ? { Authorization: `Bearer ${token}`, ...headers } : headers,
    redirect: 'manual',
  });
const say = (message: string) => alice.client.createPost({ channel_id: channel.id, message } as Post);

beforeAll(async () => {
  web = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    serve(path, res);
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  port = (web.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  server = await startServer();
  admin = await server.newUser();
  // In the config file, not the environment: an MM_* override could not be changed by a test below.
  await admin.client.patchConfig({ ServiceSettings: { AllowedUntrustedInternalConnections: '127.0.0.1' } } as any);
  alice = await server.newUser();
  team = await alice.client.createTeam({ name: `previews${Date.now()}`, display_name: 'Previews', type: 'O' } as Team);
  channel = await alice.client.createChannel({ team_id: team.id, name: 'links', display_name: 'Links', type: 'O' } as Channel);
  socket = await server.socket(alice.client);
});
afterAll(async () => {
  socket?.close();
  await server?.stop();
  await new Promise<void>((resolve) => web.close(() => resolve()));
});

describe('POST /opengraph', () => {
  it("answers the page's OpenGraph with absolute URLs and the link as posted, fetched once an hour", async () => {
    const og = await openGraph(alice.client, `${base}/page-og`);
    expect(og).toEqual({
      type: 'article',
      url: `${base}/page-og`,
      title: 'Page /page-og',
      description: 'About Page /page-og',
      determiner: '',
      site_name: 'Local',
      locale: '',
      locales_alternate: null,
      images: [{ url: `${base}/img/photo.png`, secure_url: '', type: '', width: 0, height: 0 }],
      audios: null,
      videos: null,
      article: { published_time: null, modified_time: null, expiration_time: null, section: '', tags: ['local'], authors: null },
    });
    await openGraph(admin.client, `${base}/page-og`);
    expect(hits.get('/page-og')).toBe(1);
  });

  it('follows redirects but keeps the URL asked for', async () => {
    const og = await openGraph(alice.client, `${base}/hop`);
    expect(og.title).toBe('Page /page-after-redirect');
    expect(og.url).toBe(`${base}/hop`);
  });

  it('refuses an address AllowedUntrustedInternalConnections does not list, without connecting', async () => {
    const before = hits.get('/page-refused') ?? 0;
    const started = Date.now();
    expect(await openGraph(alice.client, `http://localhost:${port}/page-refused`)).toEqual({ url: '' });
    expect(await openGraph(alice.client, `http://[::1]:${port}/page-refused`)).toEqual({ url: '' });
    expect(await openGraph(alice.client, `http://169.254.169.254/latest/meta-data/`)).toEqual({ url: '' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(hits.get('/page-refused') ?? 0).toBe(before);
  });

  it('answers {"url": ""} for pages without OpenGraph and for images', async () => {
    expect(await openGraph(alice.client, `${base}/text`)).toEqual({ url: '' });
    expect(await openGraph(alice.client, `${base}/img/photo.png`)).toEqual({ url: '' });
  });

  it('wants a url, and a session', async () => {
    expect(await expectClientError(() => openGraph(alice.client, ''))).toMatchObject({
      status_code: 400,
      server_error_id: 'api.context.invalid_body_param.app_error',
    });
    expect(await expectClientError(() => openGraph(alice.client, 42))).toMatchObject({ status_code: 400 });
    const anon = await fetch(`${server.url}/api/v4/opengraph`, { method: 'POST', body: JSON.stringify({ url: `${base}/page` }) });
    expect(anon.status).toBe(401);
  });
});

describe('post metadata', () => {
  it('gives a post with a link its OpenGraph embed and the sizes of its images, in the answer, the posted event and later reads', async () => {
    const link = `${base}/page-post`;
    const created = await say(`have a look: ${link} and ![inline](${base}/img/anim.gif)`);
    const expected = {
      embeds: [
        {
          type: 'opengraph',
          url: link,
          data: {
            type: 'article',
            url: link,
            title: 'Page /page-post',
            description: 'About Page /page-post',
            determiner: '',
            site_name: 'Local',
            locale: '',
            locales_alternate: null,
            images: [{ url: `${base}/img/photo.png`, secure_url: '', type: '', width: 0, height: 0 }],
            audios: null,
            videos: null,
          },
        },
      ],
      images: {
        [`${base}/img/photo.png`]: { width: 64, height: 48, format: 'png', frame_count: 0 },
        [`${base}/img/anim.gif`]: { width: 5, height: 4, format: 'gif', frame_count: 3 },
      },
    };
    expect(created.metadata).toMatchObject(expected);
    expect(created.metadata.embeds![0].data).not.toHaveProperty('article');
    const event = await socket.waitFor('posted', (e) => JSON.parse(e.data.post).id === created.id);
    expect(JSON.parse(event.data.post).metadata).toMatchObject(expected);

    const read = await alice.client.getPost(created.id);
    expect(read.metadata).toMatchObject(expected);
    const list = await alice.client.getPosts(channel.id);
    expect(list.posts[created.id].metadata).toMatchObject(expected);
    // One fetch each, whatever the number of reads: the rows are in the database.
    expect(hits.get('/page-post')).toBe(1);
    expect(hits.get('/img/anim.gif')).toBe(1);
  });

  it('embeds a direct image link as an image, also when the server does not say it is one', async () => {
    const created = await say(`${base}/img/untyped`);
    expect(created.metadata.embeds).toEqual([{ type: 'image', url: `${base}/img/untyped` }]);
    expect(created.metadata.images).toEqual({ [`${base}/img/untyped`]: { width: 7, height: 9, format: 'png', frame_count: 0 } });
  });

  it('gives an SVG only a link embed, and a non-page a link embed', async () => {
    expect((await say(`${base}/img/vector.svg`)).metadata.embeds).toEqual([{ type: 'link', url: `${base}/img/vector.svg` }]);
    expect((await say(`${base}/text`)).metadata.embeds).toEqual([{ type: 'link', url: `${base}/text` }]);
  });

  it('takes no link from code, and a refused link gets no embed and no request', async () => {
    const inCode = await say(`\`${base}/page-code\` and\n\`\`\`\n${base}/page-code\n\`\`\``);
    expect(inCode.metadata.embeds).toBeUndefined();
    expect(hits.get('/page-code')).toBeUndefined();
    const refused = await say(`http://localhost:${port}/page-private`);
    expect(refused.metadata.embeds).toBeUndefined();
    expect(hits.get('/page-private')).toBeUndefined();
  });

  it('recomputes the embed when the message is edited', async () => {
    const created = await say('nothing yet');
    expect(created.metadata.embeds).toBeUndefined();
    const edited = await alice.client.patchPost({ id: created.id, message: `now ${base}/page-edited` } as Post);
    expect(edited.metadata.embeds?.[0]).toMatchObject({ type: 'opengraph', url: `${base}/page-edited` });
  });
});

describe('settings', () => {
  it('with link previews off, /opengraph is 501 and posts get no link embed', async () => {
    await admin.client.patchConfig({ ServiceSettings: { EnableLinkPreviews: false } } as any);
    try {
      expect(await expectClientError(() => openGraph(alice.client, `${base}/page-off`))).toMatchObject({
        status_code: 501,
        server_error_id: 'api.post.link_preview_disabled.app_error',
      });
      expect((await say(`${base}/page-off`)).metadata.embeds).toBeUndefined();
      expect(hits.get('/page-off')).toBeUndefined();
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { EnableLinkPreviews: true } } as any);
    }
  });

  it('a CIDR in AllowedUntrustedInternalConnections lets localhost through', async () => {
    await admin.client.patchConfig({ ServiceSettings: { AllowedUntrustedInternalConnections: '127.0.0.1, 127.0.0.0/8' } } as any);
    try {
      expect((await openGraph(alice.client, `http://localhost:${port}/page-cidr`)).title).toBe('Page /page-cidr');
    } finally {
      await admin.client.patchConfig({ ServiceSettings: { AllowedUntrustedInternalConnections: '127.0.0.1' } } as any);
    }
  });

  it('announces the image proxy in the client config', async () => {
    const config = (await alice.client.getClientConfig()) as Record<string, string>;
    expect(config.HasImageProxy).toBe('false');
    expect(config.EnableLinkPreviews).toBe('true');
    expect(config.RestrictLinkPreviews).toBe('');
  });
});

describe('GET /image (local image proxy)', () => {
  it('is refused while the proxy is off', async () => {
    const res = await image(alice.client.getToken(), `${base}/img/photo.png`);
    expect(res.status).toBe(400);
    expect((await res.json()).id).toBe('api.image.get.app_error');
  });

  describe('with ImageProxySettings.Enable', () => {
    beforeAll(async () => {
      await admin.client.patchConfig({ ImageProxySettings: { Enable: true, ImageProxyType: 'local' } } as any);
    });
    afterAll(async () => {
      await admin.client.patchConfig({ ImageProxySettings: { Enable: false } } as any);
    });

    it('serves a remote image to signed-in users only, with its type and the safety headers', async () => {
      const res = await image(alice.client.getToken(), `${base}/img/photo.png`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toBe("script-src 'none'");
      expect(Buffer.from(await res.arrayBuffer()).equals(png(64, 48))).toBe(true);
      expect((await image(undefined, `${base}/img/photo.png`)).status).toBe(401);
      expect((await image(alice.client.getToken(), `${base}/img/photo.png`, { 'If-None-Match': '"photo"' })).status).toBe(304);
      expect((await image(alice.client.getToken(), `${base}/img/photo.png`, { 'If-None-Match': '"other"' })).status).toBe(200);
    });

    it('refuses SVG, non-images, refused addresses and other schemes', async () => {
      const token = alice.client.getToken();
      for (const [url, status] of [
        [`${base}/img/vector.svg`, 403],
        [`${base}/text`, 403],
        [`http://localhost:${port}/img/photo.png`, 403],
        ['ftp://example.com/a.png', 400],
        ['mailto:someone@example.com', 400],
      ] as const) {
        const res = await image(token, url);
        expect(res.status, url).toBe(status);
        expect((await res.json()).id, url).toBe('api.image.get.app_error');
      }
    });

    it('redirects to images on the site itself', async () => {
      const res = await image(alice.client.getToken(), '/static/logo.png');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`${server.url}/static/logo.png`);
    });

    it("routes a post's images through the proxy, keyed by the proxied URL", async () => {
      const proxied = (u: string) => `${server.url}/api/v4/image?url=${encodeURIComponent(u)}`;
      const created = await say(`${base}/page-proxied ![pic](${base}/img/anim.gif)`);
      expect(created.message).toBe(`${base}/page-proxied ![pic](${proxied(`${base}/img/anim.gif`)})`);
      const og = created.metadata.embeds![0].data as any;
      expect(og.images).toEqual([{ url: '', secure_url: proxied(`${base}/img/photo.png`), type: '', width: 0, height: 0 }]);
      expect(created.metadata.images).toEqual({
        [proxied(`${base}/img/photo.png`)]: { width: 64, height: 48, format: 'png', frame_count: 0 },
        [proxied(`${base}/img/anim.gif`)]: { width: 5, height: 4, format: 'gif', frame_count: 3 },
      });
      const config = (await alice.client.getClientConfig()) as Record<string, string>;
      expect(config.HasImageProxy).toBe('true');
    });
  });
});
