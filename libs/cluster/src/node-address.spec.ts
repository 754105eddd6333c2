import { describe, expect, it } from 'vitest';
import { advertisedHostname, bindAddress, firstUsableIPv4, HostEnvironment, NodeAddressSettings } from './node-address.js';

const settings = (change: Partial<NodeAddressSettings> = {}): NodeAddressSettings => ({
  OverrideHostname: '',
  AdvertiseAddress: '',
  BindAddress: '',
  UseIPAddress: true,
  NetworkInterface: '',
  ...change,
});

const host: HostEnvironment = {
  hostname: 'chat-node-1',
  interfaces: {
    lo: [
      { address: '127.0.0.1', family: 'IPv4', internal: true },
      { address: '::1', family: 'IPv6', internal: true },
    ],
    eth0: [
      { address: 'fe80::1', family: 'IPv6', internal: false },
      { address: '169.254.10.20', family: 'IPv4', internal: false },
      { address: '10.0.0.5', family: 'IPv4', internal: false },
    ],
    eth1: [{ address: '192.168.1.7', family: 4, internal: false }],
  },
};

describe('advertisedHostname', () => {
  it('prefers OverrideHostname over everything', () => {
    expect(advertisedHostname(settings({ OverrideHostname: 'node-a.internal', AdvertiseAddress: '1.2.3.4', BindAddress: '127.0.0.2' }), host)).toBe(
      'node-a.internal',
    );
  });

  it('then AdvertiseAddress (NAT)', () => {
    expect(advertisedHostname(settings({ AdvertiseAddress: '203.0.113.9', BindAddress: '127.0.0.2' }), host)).toBe('203.0.113.9');
  });

  it('then a specific bind address: a loopback node of a one-machine cluster, or one interface', () => {
    expect(advertisedHostname(settings({ BindAddress: '127.0.0.2' }), host)).toBe('127.0.0.2');
    expect(advertisedHostname(settings({ BindAddress: '192.168.1.7' }), host)).toBe('192.168.1.7');
    expect(advertisedHostname(settings({ BindAddress: '127.0.0.3', UseIPAddress: false }), host)).toBe('127.0.0.3');
  });

  it('with UseIPAddress, the first IPv4 that is neither loopback nor link-local', () => {
    expect(advertisedHostname(settings(), host)).toBe('10.0.0.5');
    expect(advertisedHostname(settings({ BindAddress: '0.0.0.0' }), host)).toBe('10.0.0.5');
  });

  it('on NetworkInterface only, when it is set', () => {
    expect(advertisedHostname(settings({ NetworkInterface: 'eth1' }), host)).toBe('192.168.1.7');
    expect(advertisedHostname(settings({ NetworkInterface: 'wlan0' }), host)).toBe('chat-node-1');
  });

  it('falls back to the machine hostname without UseIPAddress or a usable address', () => {
    expect(advertisedHostname(settings({ UseIPAddress: false }), host)).toBe('chat-node-1');
    expect(advertisedHostname(settings(), { hostname: 'solo', interfaces: { lo: host.interfaces.lo } })).toBe('solo');
  });

  it('reads the real machine when no environment is injected', () => {
    expect(advertisedHostname(settings({ OverrideHostname: 'x' }))).toBe('x');
    expect(typeof advertisedHostname(settings())).toBe('string');
  });
});

describe('firstUsableIPv4', () => {
  it('skips loopback addresses even when not flagged internal', () => {
    expect(firstUsableIPv4({ weird: [{ address: '127.0.0.9', family: 'IPv4', internal: false }] })).toBeUndefined();
  });
});

describe('bindAddress', () => {
  it('is BindAddress, or every IPv4 address', () => {
    expect(bindAddress({ BindAddress: '127.0.0.2' })).toBe('127.0.0.2');
    expect(bindAddress({ BindAddress: ' ' })).toBe('0.0.0.0');
  });
});
