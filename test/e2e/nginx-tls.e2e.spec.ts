/**
 * deploy/nginx/mattermost-cluster-tls.conf for real: the shipped file, byte for byte, passes
 * `nginx -t` and runs on 127.0.<subnet>.202 (libs/testing cluster.ts) ports 443 and 80 in front of a node, with
 * a certificate from a test CA. Through it: Client4 over https and the WebSocketClient over wss
 * (trusting only that CA), HTTP/2 negotiated by ALPN, TLS 1.1 refused, the HSTS header, the
 * redirect from http, and a static file of the web app cached with its one-year headers.
 */
import { connect as http2Connect } from 'node:http2';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import type { Channel } from '@mattermost/types/channels';
import type { Team } from '@mattermost/types/teams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectSocket,
  fetchTrusting,
  makeTestCertificates,
  NewUser,
  NGINX_BIN,
  nodeHost,
  REPO_ROOT,
  signUp,
  startServer,
  TestCertificates,
  TestServer,
  TlsNginx,
} from '#testing';

const host = nodeHost(201); // 127.0.<subnet>.202: nginx's own ports 80 and 443
const webBuilt = existsSync(join(REPO_ROOT, 'dist/web/index.html'));
let dir: string;
let certs: TestCertificates;
let node: TestServer;
let nginx: TlsNginx;
let get: typeof fetch;

beforeAll(async () => {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} not found: apt-get install -y nginx (or set NGINX_BIN)`);
  dir = mkdtempSync(join(tmpdir(), 'mm-nginx-tls-'));
  certs = makeTestCertificates(dir, host, 'nginx');
  node = await startServer({ MM_SERVICESETTINGS_SITEURL: `https://${host}` }, { startTimeoutMs: 90_000 });
  nginx = new TlsNginx(join(dir, 'nginx'), host, [`127.0.0.1:${node.port}`], certs);
  await nginx.start(); // writes the config, runs nginx -t, starts it
  get = fetchTrusting(certs.caFile);
}, 150_000);

afterAll(async () => {
  await nginx?.stop();
  await node?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('mattermost-cluster-tls.conf', () => {
  it('is the shipped file, byte for byte, and nginx -t accepts it', () => {
    expect(readFileSync(nginx.confPath, 'utf8')).toBe(readFileSync(join(REPO_ROOT, 'deploy/nginx/mattermost-cluster-tls.conf'), 'utf8'));
    expect(nginx.test()).toContain('syntax is ok');
  });

  it('serves the API over https and a wss socket through to the node', async () => {
    const alice: NewUser = await signUp(nginx.url, { caFile: certs.caFile });
    const team: Team = await alice.client.createTeam({ name: `ngx${Date.now()}`, display_name: 'nginx', type: 'O' } as Team);
    const channel: Channel = await alice.client.createChannel({ team_id: team.id, name: 'edge', display_name: 'Edge', type: 'O' } as Channel);
    expect(alice.client.getUrl()).toBe(`https://${host}`);
    const socket = await connectSocket(nginx.wsUrl, alice.client.getToken(), { caFile: certs.caFile });
    try {
      const post = await alice.client.createPost({ channel_id: channel.id, message: 'through nginx' } as never);
      const event = await socket.waitFor('posted', (e) => JSON.parse(e.data.post).id === post.id);
      expect(JSON.parse(event.data.post).message).toBe('through nginx');
    } finally {
      socket.close();
    }
    // nginx tells the node the request came over https.
    const ping = await get(`${nginx.url}/api/v4/system/ping`);
    expect(ping.status).toBe(200);
    expect(ping.headers.get('strict-transport-security')).toBe('max-age=63072000');
  });

  it('negotiates HTTP/2 by ALPN and answers over it', async () => {
    const session = http2Connect(nginx.url, { ca: readFileSync(certs.caFile) });
    try {
      await new Promise<void>((ok, fail) => {
        session.once('connect', () => ok());
        session.once('error', fail);
      });
      expect(session.alpnProtocol).toBe('h2');
      const { status, body } = await new Promise<{ status: number; body: string }>((ok, fail) => {
        const req = session.request({ ':path': '/api/v4/system/ping' });
        let status = 0;
        let body = '';
        req.on('response', (headers) => (status = Number(headers[':status'])));
        req.setEncoding('utf8');
        req.on('data', (d: string) => (body += d));
        req.on('end', () => ok({ status, body }));
        req.on('error', fail);
        req.end();
      });
      expect(status).toBe(200);
      expect(JSON.parse(body).status).toBe('OK');
    } finally {
      session.close();
    }
  });

  it('takes TLS 1.2 and 1.3 and refuses 1.1', async () => {
    const handshake = (version: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3') =>
      new Promise<string>((ok) => {
        const socket = tlsConnect({
          host,
          port: 443,
          ca: readFileSync(certs.caFile),
          minVersion: version,
          maxVersion: version,
          ciphers: 'DEFAULT:@SECLEVEL=0',
        });
        socket.once('secureConnect', () => {
          ok(socket.getProtocol() ?? '');
          socket.destroy();
        });
        socket.once('error', (err: NodeJS.ErrnoException) => ok(err.code ?? err.message));
      });
    expect(await handshake('TLSv1.2')).toBe('TLSv1.2');
    expect(await handshake('TLSv1.3')).toBe('TLSv1.3');
    expect(await handshake('TLSv1.1')).toMatch(/ALERT_PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/);
  });

  it('redirects plain http to https, keeping the path', async () => {
    const res = await fetch(`${nginx.httpUrl}/channels/town-square?x=1`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`https://${host}/channels/town-square?x=1`);
    const api = await fetch(`${nginx.httpUrl}/api/v4/system/ping`, { redirect: 'manual' });
    expect(api.headers.get('location')).toBe(`${nginx.url}/api/v4/system/ping`);
  });

  it.runIf(webBuilt)("caches the web app's hashed static files with their one-year headers", async () => {
    const index = await (await get(`${nginx.url}/`)).text();
    const asset = /\/static\/assets\/[^"']+\.js/.exec(index)?.[0];
    expect(asset, 'index.html names a /static/assets/ script').toBeTruthy();
    const first = await get(`${nginx.url}${asset}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toMatch(/max-age=31536000/);
    expect(first.headers.get('cache-control')).toContain('immutable');
    expect(first.headers.get('x-cache-status')).toBe('MISS');
    const body = await first.text();
    const second = await get(`${nginx.url}${asset}`);
    expect(second.headers.get('x-cache-status')).toBe('HIT');
    expect(await second.text()).toBe(body);
    // A file that is not hashed is revalidated by browsers (no-cache): nginx does not keep it either.
    const missing = await get(`${nginx.url}/static/no-such-file.js`);
    expect(missing.headers.get('x-cache-status')).not.toBe('HIT');
  });
});
