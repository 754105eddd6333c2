import { request } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A `fetch` that speaks HTTP over a Unix socket (mmctl's NewAPIv4SocketClient): Client4 calls the
 * global fetch, so in --local mode the CLI installs this one. Only what Client4 sends is handled:
 * string, bytes, Blob and stream bodies; the answer is a standard Response.
 */
export function unixSocketFetch(socketPath: string): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const headers = new Headers(init?.headers);
    const body = await bodyBytes(init?.body);
    if (body && !headers.has('content-length') && !(body instanceof Readable)) headers.set('content-length', String(body.length));
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        {
          socketPath,
          method: (init?.method ?? 'GET').toUpperCase(),
          path: url.pathname + url.search,
          headers: { ...Object.fromEntries(headers.entries()), host: 'localhost' },
        },
        (res) => {
          const status = res.statusCode ?? 500;
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const one of v) out.append(k, one);
            else if (v !== undefined) out.set(k, v);
          }
          const noBody = status === 204 || status === 304 || init?.method?.toUpperCase() === 'HEAD';
          if (noBody) res.resume();
          resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream), { status, statusText: res.statusMessage, headers: out }));
        },
      );
      req.on('error', reject);
      init?.signal?.addEventListener('abort', () => req.destroy(new Error('aborted')));
      if (body instanceof Readable) body.pipe(req);
      else req.end(body);
    });
  };
}

async function bodyBytes(body: BodyInit | null | undefined): Promise<Buffer | Readable | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Readable) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ReadableStream) return Readable.fromWeb(body as import('node:stream/web').ReadableStream);
  throw new Error('unsupported request body for the local socket');
}
