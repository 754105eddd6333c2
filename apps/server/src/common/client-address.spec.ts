import { describe, expect, it } from 'vitest';
import { clientAddress, networkKey, normalizeAddress } from './client-address.js';

const request = (headers: Record<string, string | string[]>, remoteAddress = '10.0.0.2') => ({ headers, socket: { remoteAddress } });

describe('clientAddress', () => {
  it('is the socket peer when no header is trusted, whatever the request sends', () => {
    const req = request({ 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.8' });
    expect(clientAddress(req, [])).toBe('10.0.0.2');
  });

  it('never reads a header that is not named', () => {
    const req = request({ 'x-forwarded-for': '203.0.113.7' });
    expect(clientAddress(req, ['X-Real-IP'])).toBe('10.0.0.2');
  });

  it('takes the right-most X-Forwarded-For hop: the one the trusted proxy wrote', () => {
    expect(clientAddress(request({ 'x-forwarded-for': '198.51.100.1, 203.0.113.7' }), ['X-Forwarded-For'])).toBe('203.0.113.7');
    // What a client puts in front does not change the answer.
    for (const spoofed of ['1.1.1.1', '2.2.2.2, 3.3.3.3', 'junk'])
      expect(clientAddress(request({ 'x-forwarded-for': `${spoofed}, 203.0.113.7` }), ['X-Forwarded-For'])).toBe('203.0.113.7');
  });

  it('reads the named headers in order, skipping absent or invalid ones as Mattermost does', () => {
    const both = request({ 'x-real-ip': '203.0.113.8', 'x-forwarded-for': '203.0.113.7' });
    expect(clientAddress(both, ['X-Forwarded-For', 'X-Real-IP'])).toBe('203.0.113.7');
    expect(clientAddress(both, ['X-Real-IP', 'X-Forwarded-For'])).toBe('203.0.113.8');
    expect(clientAddress(request({ 'x-forwarded-for': '203.0.113.7:4431' }), ['X-Forwarded-For'])).toBe('10.0.0.2');
    expect(clientAddress(request({ 'x-forwarded-for': '203.0.113.7, nonsense' }), ['X-Forwarded-For'])).toBe('10.0.0.2');
    expect(clientAddress(request({}), ['X-Forwarded-For', 'X-Real-IP'])).toBe('10.0.0.2');
  });

  it('reports an IPv4 peer on a dual-stack socket as plain IPv4', () => {
    expect(clientAddress(request({}, '::ffff:127.0.0.1'), [])).toBe('127.0.0.1');
  });
});

describe('normalizeAddress', () => {
  it('spells addresses one way and refuses what is not an IP', () => {
    expect(normalizeAddress(' [2001:DB8::1] ')).toBe('2001:db8::1');
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('example.com')).toBe('');
    expect(normalizeAddress('')).toBe('');
  });
});

describe('networkKey', () => {
  it('keeps IPv4 addresses and counts IPv6 by /64', () => {
    expect(networkKey('192.0.2.1')).toBe('192.0.2.1');
    expect(networkKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(networkKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(networkKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(networkKey('::1')).toBe('0:0:0:0::/64');
    expect(networkKey('64:ff9b:1::192.0.2.1')).toBe('64:ff9b:1:0::/64');
  });
});
