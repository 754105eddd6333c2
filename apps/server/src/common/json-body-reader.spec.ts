import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainUtf8Body, readJsonBody } from './json-body-reader.js';

const LIMIT = 64;

/** A real server that answers with what readJsonBody made of the request: {body} or {error}. */
let server: http.Server;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) =>
    readJsonBody(req, LIMIT, (err, body) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(err ? { error: err.type, status: err.status } : { body: body === undefined ? '(none)' : body }));
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function send(body: string | undefined, headers: Record<string, string> = {}): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body, headers });
  return res.json();
}

/** A chunked POST (no Content-Length) sent in two writes, the second `gapMs` after the first. */
function sendChunked(first: Buffer | string, second: Buffer | string, gapMs = 0): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(JSON.parse(text)));
    });
    req.on('error', reject);
    req.write(first);
    setTimeout(() => req.end(second), gapMs);
  });
}

describe('readJsonBody', () => {
  it('parses any JSON value (strict: false), as body-parser did', async () => {
    expect(await send('["a","b"]')).toEqual({ body: ['a', 'b'] });
    expect(await send('{"x":1}')).toEqual({ body: { x: 1 } });
    expect(await send('"text"')).toEqual({ body: 'text' });
    expect(await send('42')).toEqual({ body: 42 });
  });

  it('reads an empty body as {} and a request without a body as none', async () => {
    expect(await send('')).toEqual({ body: {} });
    const res = await new Promise<IncomingMessage>((resolve) => http.get(`http://127.0.0.1:${port}/`, resolve));
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({ body: '(none)' });
  });

  it('drops a leading byte order mark and keeps UTF-8 text intact across chunks', async () => {
    expect(await send('\uFEFF{"m":"é"}')).toEqual({ body: { m: 'é' } });
    // Sent in two writes that split "é" (0xC3 0xA9) between them.
    const bytes = Buffer.from('{"m":"é"}');
    const split = bytes.indexOf(0xc3) + 1;
    expect(await sendChunked(bytes.subarray(0, split), bytes.subarray(split), 20)).toEqual({ body: { m: 'é' } });
  });

  it('refuses bad JSON with a 400 and a body past the limit with a 413, declared or streamed', async () => {
    expect(await send('{"a":')).toEqual({ error: 'entity.parse.failed', status: 400 });
    expect(await send(`"${'x'.repeat(LIMIT)}"`)).toEqual({ error: 'entity.too.large', status: 413 });
    expect(await sendChunked(`"${'x'.repeat(LIMIT / 2)}`, `${'x'.repeat(LIMIT)}"`)).toEqual({ error: 'entity.too.large', status: 413 });
  });
});

describe('plainUtf8Body', () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it('takes UTF-8 bodies, named or implied, not compressed', () => {
    expect(plainUtf8Body(req({}))).toBe(true);
    expect(plainUtf8Body(req({ 'content-type': 'application/json' }))).toBe(true);
    expect(plainUtf8Body(req({ 'content-type': 'application/json; charset=UTF-8' }))).toBe(true);
    expect(plainUtf8Body(req({ 'content-type': 'text/plain;charset="utf-8"', 'content-encoding': 'identity' }))).toBe(true);
  });

  it('leaves other charsets and compressed bodies to body-parser', () => {
    expect(plainUtf8Body(req({ 'content-type': 'application/json; charset=utf-16le' }))).toBe(false);
    expect(plainUtf8Body(req({ 'content-type': 'application/json; charset=latin1' }))).toBe(false);
    expect(plainUtf8Body(req({ 'content-encoding': 'gzip' }))).toBe(false);
  });
});
