import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddressForbiddenError, addressAllowed, AllowList, allowedAddresses, embeddedIPv4, isOwnAddress, isReservedAddress } from './address-guard.js';
import { FetchError, readBody, safeGet, safeRequest } from './safe-fetch.js';

const none = new AllowList('');
const notOwn = () => false;

describe('reserved addresses', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
  ])('%s is reserved', (ip) => {
    expect(isReservedAddress(ip)).toBe(true);
    expect(addressAllowed(ip, none, notOwn)).toBe(false);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(isReservedAddress(ip)).toBe(false);
    expect(addressAllowed(ip, none, notOwn)).toBe(true);
  });

  it('reads the IPv4 address embedded in IPv6 forms', () => {
    expect(embeddedIPv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIPv4('::ffff:c0a8:1')).toBe('192.168.0.1');
    expect(embeddedIPv4('2002:0a00:0001::')).toBe('10.0.0.1');
    expect(embeddedIPv4('2001:db8::1')).toBeUndefined();
  });

  it("refuses the machine's own addresses, public or not, like loopback", () => {
    const interfaces = { eth0: [{ address: '203.0.114.7', netmask: '', family: 'IPv4', mac: '', internal: false, cidr: null }] } as never;
    expect(isOwnAddress('203.0.114.7', interfaces)).toBe(true);
    expect(addressAllowed('203.0.114.7', none, (a) => isOwnAddress(a, interfaces))).toBe(false);
    expect(addressAllowed('203.0.114.7', new AllowList('203.0.114.0/24'), (a) => isOwnAddress(a, interfaces))).toBe(true);
  });
});

describe('AllowedUntrustedInternalConnections', () => {
  it('splits on spaces and commas and matches CIDRs against addresses', () => {
    const allow = new AllowList(' 10.0.0.0/8, 192.168.1.0/24  intranet.example ,fd00::/8');
    expect([...allow.hosts]).toEqual(['10.0.0.0/8', '192.168.1.0/24', 'intranet.example', 'fd00::/8']);
    expect(addressAllowed('10.9.9.9', allow, notOwn)).toBe(true);
    expect(addressAllowed('192.168.1.77', allow, notOwn)).toBe(true);
    expect(addressAllowed('192.168.2.1', allow, notOwn)).toBe(false);
    expect(addressAllowed('fd00::5', allow, notOwn)).toBe(true);
    expect(addressAllowed('::ffff:10.1.1.1', allow, notOwn)).toBe(true);
    expect(addressAllowed('127.0.0.1', allow, notOwn)).toBe(false);
  });

  it('a listed host name is dialled whatever it resolves to; an unlisted one only to allowed addresses', async () => {
    const resolve = async (host: string) => (host === 'intranet.example' || host === 'rebind.example' ? [{ address: '10.0.0.5', family: 4 }] : []);
    const allow = new AllowList('intranet.example');
    await expect(allowedAddresses('intranet.example', { allow, resolve, ownAddress: notOwn })).resolves.toEqual([{ address: '10.0.0.5', family: 4 }]);
    await expect(allowedAddresses('rebind.example', { allow, resolve, ownAddress: notOwn })).rejects.toBeInstanceOf(AddressForbiddenError);
  });

  it('keeps only the allowed addresses of a name that resolves to several (the connection goes to one of those)', async () => {
    const resolve = async () => [
      { address: '127.0.0.1', family: 4 },
      { address: '93.184.216.34', family: 4 },
    ];
    await expect(allowedAddresses('mixed.example', { allow: none, resolve, ownAddress: notOwn })).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('checks an address literal without any lookup', async () => {
    const resolve = async () => {
      throw new Error('no lookup expected');
    };
    await expect(allowedAddresses('127.0.0.1', { allow: none, resolve })).rejects.toBeInstanceOf(AddressForbiddenError);
    await expect(allowedAddresses('[::1]', { allow: none, resolve })).rejects.toBeInstanceOf(AddressForbiddenError);
    await expect(allowedAddresses('127.0.0.1', { allow: new AllowList('127.0.0.1'), resolve })).resolves.toEqual([{ address: '127.0.0.1', family: 4 }]);
    await expect(allowedAddresses('127.0.0.1', { allow: new AllowList('127.0.0.0/8'), resolve })).resolves.toHaveLength(1);
  });
});

describe('safeGet', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/redirect') return res.writeHead(302, { Location: `http://127.0.0.1:${port}/page` }).end();
      if (req.url === '/loop') return res.writeHead(302, { Location: '/loop' }).end();
      if (req.url === '/big') return res.writeHead(200, { 'Content-Length': '1000' }).end('x'.repeat(1000));
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2000);
      if (req.url === '/see-other') return res.writeHead(303, { Location: '/echo' }).end();
      if (req.url === '/temporary') return res.writeHead(307, { Location: '/echo' }).end();
      if (req.url === '/echo') {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        return void req.on('end', () => res.end(`${req.method} ${req.headers['content-type'] ?? '-'} ${body}`));
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`host=${req.headers.host}`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const opts = (allow: string, extra = {}) => ({ allow: new AllowList(allow), timeoutMs: 1000, maxBytes: 100, ...extra });

  it('refuses loopback at once unless allowed', async () => {
    const started = Date.now();
    await expect(safeGet(`http://127.0.0.1:${port}/`, opts(''))).rejects.toMatchObject({ kind: 'forbidden' });
    await expect(safeGet(`http://localhost:${port}/`, opts(''))).rejects.toMatchObject({ kind: 'forbidden' });
    expect(Date.now() - started).toBeLessThan(500);
    const res = await safeGet(`http://127.0.0.1:${port}/`, opts('127.0.0.0/8'));
    expect((await readBody(res, 100)).bytes.toString()).toBe(`host=127.0.0.1:${port}`);
  });

  it('connects to the checked address while keeping the name in the Host header (no second lookup)', async () => {
    let lookups = 0;
    const resolve = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const res = await safeGet(`http://pinned.test:${port}/`, opts('127.0.0.1/32', { resolve }));
    expect((await readBody(res, 100)).bytes.toString()).toBe(`host=pinned.test:${port}`);
    expect(lookups).toBe(1);
  });

  it('refuses a name whose lookup gives a private address (rebinding to loopback)', async () => {
    const resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    await expect(safeGet(`http://rebind.test:${port}/`, opts('', { resolve }))).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('checks every redirect and stops after ten', async () => {
    const res = await safeGet(`http://127.0.0.1:${port}/redirect`, opts('127.0.0.1'));
    expect(res.url.pathname).toBe('/page');
    res.close();
    await expect(safeGet(`http://127.0.0.1:${port}/loop`, opts('127.0.0.1'))).rejects.toThrow('stopped after 10 redirects');
    await expect(safeGet(`http://127.0.0.1:${port}/redirect`, opts('127.0.0.1', { followRedirect: () => false }))).rejects.toMatchObject({ kind: 'forbidden' });
  });

  it('refuses a declared size over the cap, other schemes, and answers past the deadline', async () => {
    await expect(safeGet(`http://127.0.0.1:${port}/big`, opts('127.0.0.1'))).rejects.toMatchObject({ kind: 'too_large' });
    await expect(safeGet('file:///etc/passwd', opts(''))).rejects.toBeInstanceOf(FetchError);
    await expect(safeGet(`http://127.0.0.1:${port}/slow`, opts('127.0.0.1', { timeoutMs: 200 }))).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('sends a method and a body; a 307 repeats them, a 303 continues as a GET without a body', async () => {
    const post = { ...opts('127.0.0.1'), method: 'POST', body: '{"a":1}', headers: { 'Content-Type': 'application/json' } };
    const text = async (path: string) => (await readBody(await safeRequest(`http://127.0.0.1:${port}${path}`, post), 100)).bytes.toString();
    expect(await text('/echo')).toBe('POST application/json {"a":1}');
    expect(await text('/temporary')).toBe('POST application/json {"a":1}');
    expect(await text('/see-other')).toBe('GET application/json ');
    await expect(safeRequest(`http://127.0.0.1:${port}/echo`, { ...post, allow: new AllowList('') })).rejects.toMatchObject({ kind: 'forbidden' });
  });
});
