import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { AppError, badRequest, forbidden } from '#common';
import { ConfigService } from '#config';
import { sniffContentType } from './image-info.js';
import { MAX_LINK_RESPONSE_BYTES, OutgoingRequests } from './link-fetcher.js';
import { FetchError, safeGet, type SafeResponse } from '../common/outbound/safe-fetch.js';

/** The image types the local proxy passes on (imageproxy/local.go's list, less SVG). */
const IMAGE_TYPES = new Set([
  'image/bmp',
  'image/cgm',
  'image/g3fax',
  'image/gif',
  'image/ief',
  'image/jp2',
  'image/jpeg',
  'image/jpg',
  'image/pict',
  'image/png',
  'image/prs.btif',
  'image/tiff',
  'image/vnd.adobe.photoshop',
  'image/vnd.djvu',
  'image/vnd.microsoft.icon',
  'image/vnd.wap.wbmp',
  'image/webp',
  'image/x-icon',
  'image/x-portable-anymap',
  'image/x-portable-bitmap',
  'image/x-portable-graymap',
  'image/x-portable-pixmap',
  'image/x-rgb',
  'image/x-xbitmap',
  'image/x-xpixmap',
]);

/** Headers of the remote answer the proxy passes on (copyHeader in ServeImage). */
const PASSED_HEADERS = ['cache-control', 'last-modified', 'expires', 'etag', 'link'];

export type ImageAnswer = { redirect: string } | { proxy: URL };

const imageError = (status: number, detail = '') =>
  new AppError('getImage', 'api.image.get.app_error', 'Requested image URL cannot be parsed.', status, detail);

/** GET /api/v4/image with the local image proxy (api4/image.go getImage, imageproxy/local.go). */
@Injectable()
export class ImageProxyService {
  constructor(
    private readonly config: ConfigService,
    private readonly outgoing: OutgoingRequests,
  ) {}

  /**
   * What the route does with `url`: resolved against the site URL; with the proxy on, a remote
   * image is proxied and one on the site itself redirected to; with it off the route refuses
   * (Mattermost stopped redirecting to remote images, MM-54477).
   */
  decide(raw: string): ImageAnswer {
    const cfg = this.config.get();
    const site = safeUrl(cfg.ServiceSettings.SiteURL);
    if (/^[a-z][a-z0-9+.-]*:(?!\/)/i.test(raw)) throw imageError(400, 'opaque URL');
    let url: URL;
    try {
      url = new URL(raw, site ?? 'http://localhost');
    } catch {
      throw imageError(400);
    }
    if (!cfg.ImageProxySettings.Enable) throw imageError(400, 'image proxy disabled');
    if (site && url.host === site.host) return { redirect: url.toString() };
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw badRequest('api.image.get.app_error', 'Requested image URL cannot be parsed.', 'remote URL must have http or https scheme');
    return { proxy: url };
  }

  /**
   * ServeImage: fetches through the same guard as link previews, and sends the image on only if it
   * says (or its bytes show) it is one of IMAGE_TYPES and is within the size cap; SVG never (it can
   * carry script). Failures are AppErrors: 403 for a refused address or a non-image, 504 on time-out,
   * 502 when the remote end fails (Mattermost answers those with plain-text 500s).
   */
  async serve(url: URL, conditions: { ifNoneMatch?: string; ifModifiedSince?: string }, res: Response): Promise<void> {
    let remote: SafeResponse;
    try {
      remote = await safeGet(url, this.outgoing.options({ headers: { Accept: [...IMAGE_TYPES].join(', ') }, timeoutMs: 30_000 }));
    } catch (err) {
      throw fetchFailure(err);
    }
    try {
      const iterator = (remote.body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
      const first = await iterator.next();
      const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
      const declared = (remote.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const type = declared === '' || declared.endsWith('/octet-stream') ? sniffContentType(head).split(';')[0] : declared;
      if (type === 'image/svg+xml' || head.toString('latin1').toLowerCase().includes('<svg') || !IMAGE_TYPES.has(type)) {
        throw forbidden('api.image.get.app_error', 'Requested image URL cannot be parsed.', 'requested URL is not allowed');
      }
      for (const name of PASSED_HEADERS) if (remote.headers[name]) res.setHeader(name, remote.headers[name] as string);
      if (notModified(remote, conditions)) {
        res.status(304).end();
        return;
      }
      res.setHeader('Content-Type', type);
      if (remote.headers['content-length']) res.setHeader('Content-Length', remote.headers['content-length']);
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Content-Security-Policy', "script-src 'none'");
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('X-XSS-Protection', '1; mode=block');
      res.status(remote.status);
      // Once the answer has started, a failure can only cut it short.
      await this.pipe(head, first.done ?? false, iterator, res).catch(() => res.destroy());
    } finally {
      remote.close();
    }
  }

  /** Streams the body on; past the cap the answer is cut off (its declared length already checked). */
  private async pipe(head: Buffer, done: boolean, rest: AsyncIterator<Buffer>, res: Response): Promise<void> {
    let sent = head.length;
    res.write(head);
    while (!done) {
      const next = await rest.next();
      if (next.done) break;
      sent += next.value.length;
      if (sent > MAX_LINK_RESPONSE_BYTES) {
        res.destroy();
        return;
      }
      if (!res.write(next.value)) await new Promise((resolve) => res.once('drain', resolve));
    }
    res.end();
  }
}

/** should304: the client's copy is current by ETag or by Last-Modified. */
function notModified(remote: SafeResponse, conditions: { ifNoneMatch?: string; ifModifiedSince?: string }): boolean {
  const etag = remote.headers.etag;
  if (etag && etag === conditions.ifNoneMatch) return true;
  const lastModified = Date.parse(remote.headers['last-modified'] ?? '');
  const since = Date.parse(conditions.ifModifiedSince ?? '');
  return !Number.isNaN(lastModified) && !Number.isNaN(since) && lastModified <= since;
}

function fetchFailure(err: unknown): AppError {
  if (!(err instanceof FetchError)) return imageError(502, String(err));
  if (err.kind === 'forbidden') return imageError(403, err.message);
  if (err.kind === 'bad_url') return imageError(400, err.message);
  if (err.kind === 'too_large') return imageError(403, err.message);
  if (err.kind === 'timeout') return imageError(504, err.message);
  return imageError(502, err.message);
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
