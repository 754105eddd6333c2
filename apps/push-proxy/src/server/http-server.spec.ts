import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.js';
import { PushMetrics } from '../metrics.js';
import { ok, type PushResponse, type PushTarget } from '../push-notification.js';
import { Handlers } from './handlers.js';
import { createProxyServer, type ProxyServer, type ProxyServerDeps } from './http-server.js';
import { Throttle } from './throttle.js';

let running: ProxyServer | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

/** A target whose sends wait until `release()` (to have a request in flight). */
function gatedTarget() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started = 0;
  const target: PushTarget = {
    type: 'apple',
    platform: 'apple',
    send: async (): Promise<PushResponse> => {
      started++;
      await gate;
      return ok();
    },
    close: async () => {},
  };
  return { target, release, started: () => started };
}

async function start(over: Partial<ProxyServerDeps> & { targets?: Map<string, PushTarget> } = {}): Promise<string> {
  const metrics = 'metrics' in over ? over.metrics : undefined;
  running = createProxyServer({
    handlers: new Handlers(over.targets ?? new Map(), silentLogger, metrics),
    log: silentLogger,
    version: { hash: 'h', version: '1.2.3' },
    ...over,
  });
  await new Promise<void>((resolve) => running!.server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });

describe('push proxy HTTP server', () => {
  it('serves /, /version, and 404/405 for other paths and methods', async () => {
    const url = await start();
    expect(await (await fetch(`${url}/`)).text()).toContain('push proxy');
    expect(await (await fetch(`${url}/version`)).json()).toEqual({ hash: 'h', version: '1.2.3' });
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
    const wrongMethod = await fetch(`${url}/api/v1/send_push`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('answers FAIL with HTTP 200 for a bad body, as Mattermost does, and 413 for one too big', async () => {
    const url = await start({ maxBodyBytes: 1000 });
    const bad = await post(`${url}/api/v1/send_push`, '{"server_id":');
    expect(bad.status).toBe(200);
    expect(await bad.json()).toMatchObject({ status: 'FAIL', error: expect.stringContaining('invalid JSON') });
    const big = await post(`${url}/api/v1/send_push`, JSON.stringify({ message: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ status: 'FAIL', error: 'the body is over 1000 bytes' });
    expect(await (await post(`${url}/api/v1/ack`, '{"id":"a","platform":"apple","type":"message"}')).json()).toEqual({ status: 'OK' });
  });

  it('serves Prometheus text on /metrics when metrics are on', async () => {
    const url = await start({ metrics: new PushMetrics() });
    await post(`${url}/api/v1/ack`, '{"id":"a","platform":"apple","type":"clear"}');
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('service_delivered_total{platform="apple",type="clear",transport=""} 1');
    expect(text).toContain('service_request_duration_seconds_count 1');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('throttles every route past ThrottlePerSec with a 429 FAIL', async () => {
    const url = await start({ throttle: new Throttle(2, 10, 'X-Forwarded-For', () => 0) });
    expect((await fetch(`${url}/version`)).status).toBe(200);
    expect((await fetch(`${url}/version`)).status).toBe(200);
    const refused = await fetch(`${url}/version`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ratelimit-limit')).toBe('2');
    expect(await refused.json()).toEqual({ status: 'FAIL', error: 'limit exceeded' });
    // Another client behind the load balancer has its own bucket.
    expect((await fetch(`${url}/version`, { headers: { 'x-forwarded-for': '10.1.1.1' } })).status).toBe(200);
  });

  it('shutdown() stops accepting but answers the send in flight first', async () => {
    const gated = gatedTarget();
    const url = await start({ targets: new Map([['apple', gated.target]]) });
    const inFlight = post(`${url}/api/v1/send_push`, JSON.stringify({ platform: 'apple', server_id: 's', device_id: 'd' }));
    while (gated.started() === 0) await new Promise((r) => setTimeout(r, 5));
    let stopped = false;
    const stopping = running!.shutdown().then(() => (stopped = true));
    await expect(fetch(`${url}/version`)).rejects.toThrow();
    expect(stopped).toBe(false);
    gated.release();
    expect(await (await inFlight).json()).toEqual({ status: 'OK' });
    await stopping;
    running = undefined;
  });
});
