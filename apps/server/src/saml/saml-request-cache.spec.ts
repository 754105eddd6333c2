import { describe, expect, it } from 'vitest';
import { SAML_REQUEST, SamlRequestCache } from './saml-request-cache.js';

/** sso_flows as the repository keeps it: take() deletes what it returns. */
function flows() {
  const rows = new Map<string, { data: object; expiresAt: number }>();
  return {
    rows,
    async put(kind: string, id: string, data: object, expiresAt: number) {
      rows.set(`${kind}:${id}`, { data, expiresAt });
    },
    async take<T>(kind: string, id: string): Promise<T | undefined> {
      const row = rows.get(`${kind}:${id}`);
      rows.delete(`${kind}:${id}`);
      return row && row.expiresAt > Date.now() ? (row.data as T) : undefined;
    },
  };
}

describe('SamlRequestCache', () => {
  it('keeps an issued request id in sso_flows for the ttl', async () => {
    const store = flows();
    await new SamlRequestCache(store, 60_000).saveAsync('_id1', '2026-01-01T00:00:00Z');
    expect(store.rows.get(`${SAML_REQUEST}:_id1`)?.data).toEqual({ instant: '2026-01-01T00:00:00Z' });
  });

  it('answers an id once per HTTP request (both of node-saml’s lookups), and never to another request', async () => {
    const store = flows();
    await new SamlRequestCache(store, 60_000).saveAsync('_id1', 'instant');
    const first = new SamlRequestCache(store, 60_000);
    const racing = new SamlRequestCache(store, 60_000);
    expect(await first.getAsync('_id1')).toBe('instant');
    expect(await racing.getAsync('_id1')).toBeNull();
    expect(await first.getAsync('_id1')).toBe('instant');
    await first.removeAsync('_id1');
    expect(await first.getAsync('_id1')).toBeNull();
  });

  it('removing an id nobody looked up consumes it (a failed response uses up its request)', async () => {
    const store = flows();
    await new SamlRequestCache(store, 60_000).saveAsync('_id1', 'instant');
    await new SamlRequestCache(store, 60_000).removeAsync('_id1');
    expect(await new SamlRequestCache(store, 60_000).getAsync('_id1')).toBeNull();
  });

  it('forgets expired ids', async () => {
    const store = flows();
    await new SamlRequestCache(store, -1).saveAsync('_old', 'instant');
    expect(await new SamlRequestCache(store, 60_000).getAsync('_old')).toBeNull();
  });
});
