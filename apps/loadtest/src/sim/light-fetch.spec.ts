import { getEventListeners } from 'node:events';
import http, { type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import mm from '@mattermost/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stalledListener } from '#testing';
import { lightFetch } from './light-fetch.js';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
/** Requests whose connection the client closed before the answer. */
let abandoned = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      if (req.url === '/slow') {
        res.once('close', () => !res.writableEnded && abandoned++);
        return void setTimeout(() => res.end('late'), 2_000);
      }
      if (req.url === '/api/v4/users/me') {
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('X-Version-Id', '9.0.0');
        return void res.end(JSON.stringify({ id: 'u'.repeat(26), username: 'light' }));
      }
      if (req.url === '/missing' || req.url === '/api/v4/users/nobody') {
        res.statusCode = 404;
        res.setHeader('Content-Type', 'application/json');
        return void res.end(JSON.stringify({ id: 'api.context.404.app_error', status_code: 404, message: 'nope' }));
      }
      res.setHeader('Content-Type', 'text/plain');
      res.setHeader('X-Echo-Method', req.method!);
      res.end(`${req.method} ${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('lightFetch', () => {
  it('sends the method upper-cased, the headers and the body, and reads status, headers and text', async () => {
    const res = await lightFetch(`${base}/echo`, { method: 'post', headers: { 'X-Requested-With': 'XMLHttpRequest' }, body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(res.ok).toBe(true);
    expect(res.headers.get('x-echo-method')).toBe('POST');
    expect(res.headers.get('X-ECHO-METHOD')).toBe('POST');
    expect(res.headers.has('Content-Type')).toBe(true);
    expect(await res.text()).toBe('POST {"a":1}');
    const last = seen.at(-1)!;
    expect(last.headers['x-requested-with']).toBe('XMLHttpRequest');
    const keys: string[] = [];
    res.headers.forEach((_v, k) => keys.push(k));
    expect(keys).toContain('x-echo-method');
  });

  it('reports errors as fetch does: not ok, the body still readable', async () => {
    const res = await lightFetch(`${base}/missing`);
    expect(res.ok).toBe(false);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ id: 'api.context.404.app_error' });
  });

  it('aborts with the signal, rejecting with its reason', async () => {
    const controller = new AbortController();
    const pending = lightFetch(`${base}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), 50);
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('destroys a request whose headers are not in within timeoutMs, rejecting with a TimeoutError', async () => {
    const before = abandoned;
    await expect(lightFetch(`${base}/slow`, {}, { timeoutMs: 50 })).rejects.toMatchObject({ name: 'TimeoutError' });
    await vi.waitFor(() => expect(abandoned).toBe(before + 1));
    // In time: the timer is gone with the answer (nothing fires later).
    expect(await (await lightFetch(`${base}/echo`, {}, { timeoutMs: 1_000 })).text()).toBe('GET ');
  });

  it('names where a timed-out request was stuck: no answer on a new connection, then on a reused one', async () => {
    const fresh = http.createServer((req, res) => (req.url === '/slow' ? void setTimeout(() => res.end(), 1_000) : res.end('ok')));
    await new Promise<void>((resolve) => fresh.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(fresh.address() as AddressInfo).port}`;
    try {
      await expect(lightFetch(`${url}/slow`, {}, { timeoutMs: 50 })).rejects.toMatchObject({ phase: 'no answer on a new connection' });
      await (await lightFetch(`${url}/ok`)).text();
      await expect(lightFetch(`${url}/slow`, {}, { timeoutMs: 50 })).rejects.toMatchObject({
        phase: 'no answer on a reused connection',
        message: 'timed out after 50 ms (no answer on a reused connection)',
      });
    } finally {
      fresh.closeAllConnections();
      await new Promise<void>((resolve) => fresh.close(() => resolve()));
    }
  });

  it("names a request still connecting when the server's accept queue is full", async () => {
    const listener = await stalledListener(1); // the shortest queue
    try {
      // Fill the accept queue with completed handshakes; later SYNs are dropped.
      const fillers = Array.from({ length: 4 }, () => net.connect(listener.port, '127.0.0.1').on('error', () => {}));
      await new Promise((r) => setTimeout(r, 100));
      await expect(lightFetch(`http://127.0.0.1:${listener.port}/`, {}, { timeoutMs: 300 })).rejects.toMatchObject({ phase: 'connecting' });
      for (const f of fillers) f.destroy();
    } finally {
      listener.stop();
    }
  });

  it('stops every request of a stop signal with its reason, through one listener however many there are', async () => {
    const stop = new AbortController();
    const before = abandoned;
    const pending = Array.from({ length: 20 }, () => lightFetch(`${base}/slow`, {}, { stop: stop.signal }));
    await lightFetch(`${base}/echo`, {}, { stop: stop.signal });
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
    stop.abort(new Error('user stopped'));
    for (const p of pending) await expect(p).rejects.toThrow('user stopped');
    await vi.waitFor(() => expect(abandoned).toBe(before + 20));
    const seenBefore = seen.length;
    await expect(lightFetch(`${base}/echo`, {}, { stop: stop.signal })).rejects.toThrow('user stopped');
    expect(seen.length, 'an already stopped user sends nothing').toBe(seenBefore);
  });

  it('applies the same limits to the bodies it hands to the built-in fetch (FormData)', async () => {
    const form = new FormData();
    form.append('files', new Blob(['x']), 'x.txt');
    await expect(lightFetch(`${base}/slow`, { method: 'POST', body: form }, { timeoutMs: 50 })).rejects.toMatchObject({ name: 'TimeoutError' });
    const stop = new AbortController();
    const pending = lightFetch(`${base}/slow`, { method: 'POST', body: form }, { stop: stop.signal });
    stop.abort(new Error('user stopped'));
    await expect(pending).rejects.toThrow('user stopped');
    expect(getEventListeners(stop.signal, 'abort'), 'detached once settled').toHaveLength(0);
  });

  it('fails a refused connection as fetch does (TypeError with a cause)', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(lightFetch(`http://127.0.0.1:${port}/`)).rejects.toBeInstanceOf(TypeError);
  });

  it("serves Client4's calls: JSON bodies, headers and its errors", async () => {
    const original = globalThis.fetch;
    globalThis.fetch = lightFetch as typeof fetch;
    try {
      const client = new mm.Client4();
      client.setUrl(base);
      client.setToken('tok');
      expect(await client.getMe()).toMatchObject({ username: 'light' });
      expect(seen.at(-1)!.headers.authorization).toBe('BEARER tok');
      expect(client.serverVersion).toBe('9.0.0');
      await expect(client.getUser('nobody')).rejects.toMatchObject({
        status_code: 404,
        server_error_id: 'api.context.404.app_error',
      });
    } finally {
      globalThis.fetch = original;
    }
  });
});
