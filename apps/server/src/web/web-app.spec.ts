/**
 * What the node answers for the web app, over a real Express app and HTTP: index.html with its
 * security headers at every client route, the files under /static with their caching, 404s (JSON
 * for the API) under the server's prefixes, and a clear 404 when the app is not built.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigService } from '#config';
import { WEB_ROUTES } from '../sso/web-sign-in.js';
import { contentSecurityPolicy } from './security-headers.js';
import { WebApp } from './web-app.js';
import { isServerPath } from './web-paths.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/static/assets/index-abc123.js"></script></head><body></body></html>';

async function serve(webDir: string, config: ConfigService): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(new WebApp(config, webDir).router());
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('WebApp', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-app-'));
  const webDir = join(dir, 'web');
  const config = new ConfigService(join(dir, 'config.json'), { MM_SERVICESETTINGS_SITEURL: 'https://chat.example.com' });
  let built: { url: string; server: Server };
  let missing: { url: string; server: Server };

  beforeAll(async () => {
    mkdirSync(join(webDir, 'assets'), { recursive: true });
    writeFileSync(join(webDir, 'index.html'), INDEX);
    writeFileSync(join(webDir, 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    built = await serve(webDir, config);
    missing = await serve(join(dir, 'not-built'), config);
  });
  afterAll(() => {
    built?.server.close();
    missing?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/login?redirect_to=%2Facme', '/signup_user_complete', '/acme/channels/town-square', '/acme/messages/@bob', '/admin_console/users', '/error'])(
    'answers the client route %s with index.html and its security headers',
    async (path) => {
      const res = await fetch(built.url + path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await res.text()).toBe(INDEX);
      expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy(config.get()));
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    },
  );

  it('answers HEAD like GET, without a body', async () => {
    const res = await fetch(`${built.url}/acme/channels/town-square`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });

  it('serves the hashed files for a year and the others revalidated', async () => {
    const js = await fetch(`${built.url}/static/assets/index-abc123.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const icon = await fetch(`${built.url}/static/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it.each(['/static/assets/nope.js', '/static/assets/', '/static/index.html', '/static/nope.svg'])('answers %s with a plain 404', async (path) => {
    const res = await fetch(built.url + path);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  });

  it('serves nothing outside the folder', async () => {
    for (const path of ['/static/..%2fweb%2findex.html', '/static/assets/..%2f..%2fconfig.json', '/static/%2e%2e%2fconfig.json']) {
      const res = await fetch(built.url + path);
      expect([403, 404], path).toContain(res.status);
      expect(await res.text()).not.toContain('<html');
    }
  });

  it('answers unmatched API paths with the JSON 404 of the API', async () => {
    for (const path of ['/api/v4/nope', '/api/v3/users']) {
      const res = await fetch(built.url + path);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { id: string }).id).toBe('api.context.404.app_error');
    }
  });

  it.each(['/oauth/gitlab/nope', '/login/sso/other', '/signup/gitlab/complete', '/files/abc/public', '/plugins/x'])(
    'leaves the server prefix %s to the server (404, no page)',
    async (path) => {
      const res = await fetch(built.url + path);
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('<html');
    },
  );

  it('sends no page for other methods', async () => {
    const res = await fetch(`${built.url}/login`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(INDEX);
  });

  it('says so when the app is not built, and still answers the API', async () => {
    const page = await fetch(`${missing.url}/`);
    expect(page.status).toBe(404);
    expect(await page.text()).toMatch(/web app is not built.*npm run build/);
    expect((await fetch(`${missing.url}/static/assets/index-abc123.js`)).status).toBe(404);
    expect(((await (await fetch(`${missing.url}/api/v4/nope`)).json()) as { id: string }).id).toBe('api.context.404.app_error');
  });
});

describe('isServerPath', () => {
  it("keeps every browser route of the sign-in methods (WEB_ROUTES) the server's", () => {
    for (const route of WEB_ROUTES) expect(isServerPath(`/${route.replace(':service', 'gitlab')}`), route).toBe(true);
  });

  it('leaves the client routes to the app', () => {
    for (const path of ['/', '/login', '/signup_user_complete', '/acme/channels/x', '/admin_console', '/oauthx', '/staticky', '/apiary']) {
      expect(isServerPath(path), path).toBe(false);
    }
  });
});

describe('contentSecurityPolicy', () => {
  it('allows only this site, its sockets and no inline code or framing', () => {
    const csp = contentSecurityPolicy({
      ...new ConfigService(join(tmpdir(), 'csp-unused.json'), {}).get(),
      ServiceSettings: { SiteURL: 'https://chat.example.com/mm', WebsocketURL: 'wss://ws.example.com:8443' } as never,
    });
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self' wss://chat.example.com wss://ws.example.com:8443;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
  });
});
