import { ConfigService } from '#config';
import { Injectable } from '@nestjs/common';
import { AllowList } from '../common/outbound/address-guard.js';
import { probeImage, sniffContentType, type PostImage } from './image-info.js';
import { linkAllowedForPreview, restrictedDomains } from './links.js';
import { finishOpenGraph, hasOpenGraph, OpenGraphReader, type OpenGraph } from './opengraph.js';
import { FetchError, safeGet, type SafeFetchOptions, type SafeResponse } from '../common/outbound/safe-fetch.js';

/** MaxOpenGraphResponseSize and MaxMetadataImageSize: 50 MiB. */
export const MAX_LINK_RESPONSE_BYTES = 50 * 1024 * 1024;

export type FetchedLink = { og: OpenGraph } | { image: PostImage } | { none: true; error?: string };

/** Outgoing requests of this server for untrusted URLs, with the settings that govern them. */
@Injectable()
export class OutgoingRequests {
  constructor(private readonly config: ConfigService) {}

  options(overrides: Partial<SafeFetchOptions> = {}): SafeFetchOptions {
    const cfg = this.config.get();
    return {
      allow: new AllowList(cfg.ServiceSettings.AllowedUntrustedInternalConnections),
      insecure: cfg.ServiceSettings.EnableInsecureOutgoingConnections,
      timeoutMs: cfg.ExperimentalSettings.LinkMetadataTimeoutMilliseconds,
      maxBytes: MAX_LINK_RESPONSE_BYTES,
      ...overrides,
    };
  }
}

/**
 * getLinkMetadataForURL: fetches a link and says what it is, an HTML page with OpenGraph tags, an
 * image with its dimensions, or nothing usable. Any failure (refused address, timeout, error
 * status with no usable body) is "nothing", with the reason.
 */
@Injectable()
export class LinkFetcher {
  constructor(
    private readonly outgoing: OutgoingRequests,
    private readonly config: ConfigService,
  ) {}

  async fetch(url: string): Promise<FetchedLink> {
    const restricted = restrictedDomains(this.config.get().ServiceSettings.RestrictLinkPreviews);
    let res: SafeResponse;
    try {
      res = await safeGet(
        url,
        this.outgoing.options({
          headers: { Accept: 'image/*, text/html;q=0.8', 'Accept-Language': this.config.get().LocalizationSettings.DefaultServerLocale },
          followRedirect: (next) => linkAllowedForPreview(next.toString(), restricted),
        }),
      );
    } catch (err) {
      return { none: true, error: (err as Error).message };
    }
    try {
      return await this.read(url, res);
    } catch (err) {
      return { none: true, error: err instanceof FetchError ? err.message : `reading ${url}: ${(err as Error).message}` };
    } finally {
      res.close();
    }
  }

  private async read(url: string, res: SafeResponse): Promise<FetchedLink> {
    const chunks = res.body as AsyncIterable<Buffer>;
    const iterator = chunks[Symbol.asyncIterator]();
    const first = await iterator.next();
    const head: Buffer = first.done ? Buffer.alloc(0) : first.value;
    const contentType = (res.headers['content-type'] || sniffContentType(head)).toLowerCase();
    const rest = { [Symbol.asyncIterator]: () => iterator };
    if (contentType.startsWith('image/svg+xml')) return { none: true };
    if (contentType.startsWith('image')) return this.readImage(head, first.done ?? false, rest);
    if (contentType.startsWith('text/html')) return this.readPage(url, contentType, head, rest);
    return { none: true };
  }

  private async readImage(head: Buffer, done: boolean, rest: AsyncIterable<Buffer>): Promise<FetchedLink> {
    const chunks = [head];
    let size = head.length;
    let complete = done;
    for (;;) {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      const probe = probeImage(bytes, complete);
      if ('image' in probe) return probe.image ? { image: probe.image } : { none: true };
      if ('error' in probe) return { none: true, error: probe.error };
      if (complete) return { none: true, error: 'incomplete image' };
      const next = await rest[Symbol.asyncIterator]().next();
      if (next.done) {
        complete = true;
      } else if (size + next.value.length > MAX_LINK_RESPONSE_BYTES) {
        // The cap reached: what was read is all there is to measure.
        chunks.push(next.value.subarray(0, MAX_LINK_RESPONSE_BYTES - size));
        size = MAX_LINK_RESPONSE_BYTES;
        complete = true;
      } else {
        chunks.push(next.value);
        size += next.value.length;
      }
    }
  }

  private async readPage(url: string, contentType: string, head: Buffer, rest: AsyncIterable<Buffer>): Promise<FetchedLink> {
    const reader = new OpenGraphReader();
    const decoder = textDecoder(contentType, head);
    let size = head.length;
    let done = reader.write(decoder.decode(head, { stream: true }));
    if (!done) {
      for await (const chunk of rest) {
        size += chunk.length;
        done = reader.write(decoder.decode(chunk, { stream: true }));
        if (done || size >= MAX_LINK_RESPONSE_BYTES) break;
      }
    }
    const og = finishOpenGraph(reader.end(), url);
    return hasOpenGraph(og) ? { og } : { none: true };
  }
}

/**
 * forceHTMLEncodingToUTF8 (charset.NewReader): the page's charset from its Content-Type, else from
 * a meta tag in its first kilobyte, UTF-8 when absent or unknown.
 */
export function textDecoder(contentType: string, head: Buffer = Buffer.alloc(0)): TextDecoder {
  const declared = /charset\s*=\s*["']?([\w.:-]+)/i;
  const charset = declared.exec(contentType)?.[1] ?? declared.exec(head.subarray(0, 1024).toString('latin1'))?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8');
  } catch {
    return new TextDecoder('utf-8');
  }
}
