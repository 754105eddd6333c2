import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { NEGATIVE_TTL_MS, sharedResolver, systemResolver } from './host-resolver.js';

/** A lookup that counts its calls and answers when told. */
function pendingLookup() {
  const calls: string[] = [];
  const waiting: Array<{ host: string; resolve: (a: LookupAddress[]) => void; reject: (e: Error) => void }> = [];
  const lookup = (host: string) =>
    new Promise<LookupAddress[]>((resolve, reject) => {
      calls.push(host);
      waiting.push({ host, resolve, reject });
    });
  return { lookup, calls, waiting };
}

describe('the outgoing requests resolver', () => {
  it('shares one lookup between concurrent requests for a name (case-insensitive)', async () => {
    const l = pendingLookup();
    const resolve = sharedResolver(l.lookup);
    const all = Promise.all([resolve('example.com'), resolve('EXAMPLE.com'), resolve('example.com')]);
    expect(l.calls).toEqual(['example.com']);
    l.waiting[0].resolve([{ address: '93.184.215.14', family: 4 }]);
    expect((await all).map((a) => a[0].address)).toEqual(['93.184.215.14', '93.184.215.14', '93.184.215.14']);
    // An answer is not kept: the next request asks again.
    void resolve('example.com');
    expect(l.calls).toEqual(['example.com', 'example.com']);
  });

  it('fails a name that did not resolve at once for NEGATIVE_TTL_MS, then asks again', async () => {
    const l = pendingLookup();
    let clock = 1_000;
    const resolve = sharedResolver(l.lookup, () => clock);
    const first = resolve('nowhere.invalid');
    l.waiting[0].reject(Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' }));
    await expect(first).rejects.toMatchObject({ code: 'ENOTFOUND' });
    clock += NEGATIVE_TTL_MS - 1;
    await expect(resolve('nowhere.invalid')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(l.calls).toHaveLength(1);
    clock += 1;
    const again = resolve('nowhere.invalid');
    expect(l.calls).toHaveLength(2);
    l.waiting[1].resolve([{ address: '192.0.2.1', family: 4 }]);
    expect((await again)[0].address).toBe('192.0.2.1');
    // Other names are not affected by a failed one.
    void resolve('other.example');
    expect(l.calls.at(-1)).toBe('other.example');
  });

  it('resolves through the system (localhost from /etc/hosts)', async () => {
    const addresses = await systemResolver('localhost');
    expect(addresses.some((a) => a.address === '127.0.0.1' || a.address === '::1')).toBe(true);
  });
});
