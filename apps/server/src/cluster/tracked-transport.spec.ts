import { describe, expect, it } from 'vitest';
import { InMemoryNetwork } from './in-memory-transport.js';
import { TrackedTransport } from './tracked-transport.js';

describe('TrackedTransport', () => {
  it('counts what it sends by type, once per broadcast, and times requests, failed ones too', async () => {
    const network = new InMemoryNetwork();
    const a = new TrackedTransport(network.join('a'));
    const b = network.join('b');
    network.join('c');
    b.onRequest('echo', (payload) => payload);
    a.broadcast({ type: 'invalidate', payload: {} });
    a.send('b', { type: 'resync', payload: {} });
    expect(await a.request('b', { type: 'echo', payload: 7 }, 1000)).toBe(7);
    await expect(a.request('b', { type: 'unknown', payload: 0 }, 1000)).rejects.toThrow();
    expect(Object.fromEntries(a.sentByType.entries())).toEqual({ invalidate: 1, resync: 1, echo: 1, unknown: 1 });
    expect(a.requestDurations.count).toBe(2);
    expect(a.requestDurations.sum).toBeGreaterThanOrEqual(0);
    expect(a.requestDurations.sum).toBeLessThan(1);
  });
});
