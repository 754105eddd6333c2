import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AddressForbiddenError, allowedAddresses, type AllowList, type Resolver } from './address-guard.js';

/** Mattermost's outgoing requests identify themselves so (httpservice's default user agent). */
export const USER_AGENT = 'Mattermost-Bot/1.1';
/** http.Client's CheckRedirect in makeLinkMetadataClient: stop after 10 redirects. */
export const MAX_REDIRECTS = 10;

export class FetchError extends Error {
  constructor(
    message: string,
    readonly kind: 'forbidden' | 'timeout' | 'too_large' | 'bad_url' | 'failed',
  ) {
    super(message);
  }
}

export interface SafeFetchOptions {
  allow: AllowList;
  /** The whole exchange, redirects and body included (a connection that stalls is cut). */
  timeoutMs: number;
  /** A response declaring more than this is refused before its body is read; readBody stops there too. */
  maxBytes: number;
  headers?: Record<string, string>;
  /** EnableInsecureOutgoingConnections: skip TLS certificate checks. */
  insecure?: boolean;
  /** Each redirect target must pass this too (RestrictLinkPreviews for link previews). */
  followRedirect?: (url: URL) => boolean;
  resolve?: Resolver;
  ownAddress?: (address: string) => boolean;
}

/** A request with a method and a body (outgoing webhooks, slash commands, interactive actions). */
export interface SafeRequestOptions extends SafeFetchOptions {
  /** GET when missing. */
  method?: string;
  body?: string | Buffer;
}

export interface SafeResponse {
  /** Where the answer came from, after redirects. */
  url: URL;
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /** Ends the exchange (and its deadline); call it once done with the body. */
  close(): void;
}

/** A GET through the guards of safeRequest (link previews, the image proxy, SAML metadata). */
export const safeGet = (target: string | URL, options: SafeFetchOptions): Promise<SafeResponse> =>
  safeRequest(target, { ...options, method: 'GET', body: undefined });

/**
 * A request with Mattermost's guards for untrusted URLs: http(s) only, every hop's host resolved
 * and checked here and the socket opened to the checked address (the lookup hands the connection
 * the address that passed, so DNS cannot answer differently between check and connect), at most
 * MAX_REDIRECTS redirects each checked again, one deadline over everything, and a size cap.
 * Redirects go as Go's http.Client takes them: 307 and 308 repeat the method and body, the others
 * continue as a GET without a body.
 */
export async function safeRequest(target: string | URL, options: SafeRequestOptions): Promise<SafeResponse> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
  const close = () => clearTimeout(timer);
  try {
    let url = parseHttpUrl(target);
    let request = options;
    for (let hop = 0; ; hop++) {
      const res = await requestOnce(url, request, deadline.signal);
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (hop >= MAX_REDIRECTS) throw new FetchError(`stopped after ${MAX_REDIRECTS} redirects`, 'failed');
        if (res.statusCode !== 307 && res.statusCode !== 308) request = { ...request, method: 'GET', body: undefined };
        url = parseHttpUrl(new URL(location, url));
        if (options.followRedirect && !options.followRedirect(url)) throw new FetchError('redirect target is disabled for link previews', 'forbidden');
        continue;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        res.destroy();
        throw new FetchError('response exceeds the size limit', 'too_large');
      }
      res.once('close', close);
      return { url, status: res.statusCode ?? 0, headers: res.headers, body: res, close: () => (close(), res.destroy()) };
    }
  } catch (err) {
    close();
    if (deadline.signal.aborted) throw new FetchError('request timed out', 'timeout');
    throw err;
  }
}

/** Reads up to `limit` bytes; `truncated` says there was more. */
export async function readBody(res: SafeResponse, limit: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const room = limit - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        return { bytes: Buffer.concat(chunks), truncated: true };
      }
      chunks.push(chunk);
      size += chunk.length;
    }
  } finally {
    res.close();
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

function parseHttpUrl(target: string | URL): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new FetchError('invalid URL', 'bad_url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('remote URL must have http or https scheme', 'bad_url');
  return url;
}

async function requestOnce(url: URL, options: SafeRequestOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const [checked] = await checkedAddresses(url.hostname, options, signal);
  const pinned = (_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) =>
    opts?.all ? cb(null, [checked]) : cb(null, checked.address, checked.family);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = send(url, {
      family: checked.family,
      method: options.method ?? 'GET',
      headers: {
        'User-Agent': USER_AGENT,
        ...options.headers,
        ...(options.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(options.body)) } : {}),
      },
      lookup: pinned as never,
      signal,
      rejectUnauthorized: !options.insecure,
      // SNI and certificate checks use the name from the URL, not the pinned address.
      servername: isAddressLiteral(url.hostname) ? undefined : url.hostname,
      agent: false,
    });
    req.once('response', resolve);
    req.once('error', (err) => reject(signal.aborted ? new FetchError('request timed out', 'timeout') : new FetchError(err.message, 'failed')));
    req.end(options.body);
  });
}

/** The guard's answer, as a FetchError, within the deadline (a slow resolver does not hold the request past it). */
async function checkedAddresses(host: string, options: SafeFetchOptions, signal: AbortSignal): Promise<LookupAddress[]> {
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new FetchError('request timed out', 'timeout'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([allowedAddresses(host, options), aborted]);
  } catch (err) {
    if (err instanceof FetchError) throw err;
    if (err instanceof AddressForbiddenError) throw new FetchError(err.message, 'forbidden');
    throw new FetchError(`cannot resolve ${host}: ${(err as Error).message}`, 'failed');
  } finally {
    signal.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
}

function isAddressLiteral(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.startsWith('[');
}

export type { LookupAddress };
