import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Collector } from '../metrics/collector.js';
import { actionContext, endpointKey, instrumentFetch, isMissingRoute } from './http.js';

const ID = 'abcdefghijklmnopqrstuvwxyz';
const ID2 = '0123456789abcdefghijklmnop';

describe('endpointKey', () => {
  it('names routes with ids (and the me alias) replaced, without /api/v4 and the query', () => {
    expect(endpointKey('get', `http://127.0.0.1:8065/api/v4/users/${ID}/channels/${ID2}/posts/unread?limit_after=30`)).toBe(
      'GET /users/{id}/channels/{id}/posts/unread',
    );
    expect(endpointKey('GET', 'http://h/api/v4/users/me/teams/unread?include_collapsed_threads=true')).toBe('GET /users/{id}/teams/unread');
    expect(endpointKey('post', 'http://h/api/v4/channels/members/me/view')).toBe('POST /channels/members/{id}/view');
    expect(endpointKey('PUT', `http://h/api/v4/users/${ID}/teams/${ID2}/threads/${ID}/read/1732600000000`)).toBe(
      'PUT /users/{id}/teams/{id}/threads/{id}/read/{n}',
    );
  });

  it('replaces names after name/username/email/reactions segments', () => {
    expect(endpointKey('GET', 'http://h/api/v4/teams/name/lt-team-1/channels/name/town-square')).toBe('GET /teams/name/{name}/channels/name/{name}');
    expect(endpointKey('GET', 'http://h/api/v4/users/username/lt-user-7')).toBe('GET /users/username/{username}');
    expect(endpointKey('DELETE', `http://h/api/v4/users/${ID}/posts/${ID2}/reactions/tada`)).toBe('DELETE /users/{id}/posts/{id}/reactions/{reactions}');
  });
  it('reads the path of any URL form: no path, a fragment, a relative URL', () => {
    expect(endpointKey('GET', 'http://h')).toBe('GET /');
    expect(endpointKey('GET', 'http://h:8065/api/v4/system/ping#x')).toBe('GET /system/ping');
    expect(endpointKey('GET', `/api/v4/users/${ID}/image?_=0`)).toBe('GET /users/{id}/image');
  });
});

describe('instrumentFetch', () => {
  it('counts answers by route and action, timeouts as timeouts, and not the requests of a user that stops', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/api/v4/slow') return void setTimeout(() => res.end('late'), 2_000);
      res.statusCode = req.url === '/api/v4/broken' ? 503 : 200;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
    const collector = new Collector();
    const original = globalThis.fetch;
    instrumentFetch(collector, 100);
    try {
      const stop = new AbortController();
      await actionContext.run({ action: 'Act', signal: stop.signal }, async () => {
        await fetch(`${base}/users/${ID}`);
        await fetch(`${base}/broken`);
        await expect(fetch(`${base}/slow`)).rejects.toMatchObject({ name: 'TimeoutError' });
        const stopped = fetch(`${base}/slow`);
        stop.abort();
        await expect(stopped).rejects.toMatchObject({ name: 'AbortError' });
      });
      const { endpoints, timeoutPhases } = collector.drain({ worker: 0, users: { active: 1, ready: 1, loginFailures: 0 }, loop: { elu: 0, delayP99Ms: 0 } });
      expect(endpoints['GET /users/{id}']).toMatchObject({ count: 1, err5xx: 0, timeouts: 0 });
      expect(endpoints['GET /broken']).toMatchObject({ count: 1, err5xx: 1 });
      expect(endpoints['GET /slow']).toMatchObject({ count: 1, timeouts: 1, network: 0 });
      expect(timeoutPhases, 'the timeout counted by where it was stuck').toEqual({ 'GET /slow: no answer on a new connection': 1 });
    } finally {
      globalThis.fetch = original;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('isMissingRoute', () => {
  it("is Mattermost's 404 for an unknown route only", () => {
    expect(isMissingRoute({ status_code: 404, server_error_id: 'api.context.404.app_error' })).toBe(true);
    expect(isMissingRoute({ status_code: 404, server_error_id: 'app.channel.get.existing.app_error' })).toBe(false);
    expect(isMissingRoute(new Error('x'))).toBe(false);
  });
});
