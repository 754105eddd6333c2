/**
 * Every request a simulated user makes goes through Client4, which calls the global fetch. That
 * fetch is replaced once per worker thread by lightFetch (light-fetch.ts: the same calls at a
 * sixth of the CPU), wrapped to time each request (to the response headers, as Go's
 * RoundTrip that load-test-ng times), classify it (ok, 4xx, 5xx, timeout, network error), enforce
 * the request timeout, and charge it to the action in progress (carried by AsyncLocalStorage).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { Collector, Outcome } from '../metrics/collector.js';
import { lightFetch, type TimeoutError } from './light-fetch.js';

export interface PauseContext {
  /** ms the action spent in deliberate pauses (scrolling, typing), not counted as its duration. */
  paused: number;
}

export interface ActionContext {
  action: string;
  /** Aborts the user's requests when it stops. */
  signal?: AbortSignal;
  pauses?: PauseContext;
}

export const actionContext = new AsyncLocalStorage<ActionContext>();

const API_PREFIX = '/api/v4';
const ID = /^[a-z0-9]{26}$/;
/** Segments after these hold names, not routes. */
const NAMED = new Set(['name', 'username', 'email', 'reactions', 'category', 'exists']);

/** The path of an absolute or relative URL, without its query or fragment (no URL object: this runs for every request). */
function pathOf(url: string): string {
  const scheme = url.indexOf('://');
  const start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
  if (start < 0) return '/';
  let end = url.length;
  for (const c of ['?', '#']) {
    const i = url.indexOf(c, start);
    if (i >= 0 && i < end) end = i;
  }
  return url.slice(start, end);
}

/** "GET /users/{id}/channels/{id}/posts/unread": the route of a URL, ids and names replaced. */
export function endpointKey(method: string, url: string): string {
  let path = pathOf(url);
  if (path.startsWith(API_PREFIX)) path = path.slice(API_PREFIX.length);
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i];
    if (ID.test(seg) || (seg === 'me' && parts[i - 1] === 'users') || (seg === 'me' && parts[i - 1] === 'members')) parts[i] = '{id}';
    else if (/^\d+$/.test(seg)) parts[i] = '{n}';
    else if (NAMED.has(parts[i - 1]) && seg && !(parts[i - 1] === 'name' && seg === 'channels')) parts[i] = `{${parts[i - 1]}}`;
  }
  return `${method.toUpperCase()} ${parts.join('/')}`;
}

function outcomeOf(status: number): Outcome {
  if (status >= 500) return '5xx';
  if (status >= 400) return '4xx';
  return 'ok';
}

let installed = false;

/** Wraps globalThis.fetch for this thread (once). */
export function instrumentFetch(collector: Collector, timeoutMs: number): void {
  if (installed) return;
  installed = true;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const ctx = actionContext.getStore();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    const key = endpointKey(method, url);
    const t0 = performance.now();
    try {
      // The timeout and the user's stop act on the request until its headers are in.
      const res = await lightFetch(input, init, { timeoutMs, stop: ctx?.signal });
      collector.request(key, ctx?.action, performance.now() - t0, outcomeOf(res.status));
      if (res.status >= 500) collector.error(`${key} → ${res.status}`);
      return res;
    } catch (err) {
      const ms = performance.now() - t0;
      if (ctx?.signal?.aborted) throw err; // a user stopping aborts its own requests: not the server's fault, not counted
      if ((err as Error)?.name === 'TimeoutError') {
        collector.request(key, ctx?.action, ms, 'timeout');
        collector.timeout(key, (err as TimeoutError).phase ?? 'unknown');
        collector.error(`${key} ${(err as Error).message}`);
      } else {
        collector.request(key, ctx?.action, ms, 'network');
        collector.error(`${key}: ${(err as Error)?.cause ?? (err as Error)?.message ?? err}`);
      }
      throw err;
    }
  };
}

/** Client4's error for a route the server does not have (Mattermost's api.context.404.app_error). */
export function isMissingRoute(err: unknown): boolean {
  const e = err as { status_code?: number; server_error_id?: string };
  return e?.status_code === 404 && e?.server_error_id === 'api.context.404.app_error';
}
