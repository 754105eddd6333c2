import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { systemResolver, type Resolver } from './host-resolver.js';

/**
 * Which addresses the server's own outgoing requests (link previews, the image proxy) may reach:
 * Mattermost's httpservice. Reserved ranges (private, loopback, link-local, unique-local…) and the
 * machine's own addresses are refused unless ServiceSettings.AllowedUntrustedInternalConnections
 * lists the host name as written in the URL, or a CIDR holding the address. The name is resolved
 * here and the connection goes to the address that was checked, so a name that resolves to a
 * public address for the check and a private one for the connection (DNS rebinding) cannot pass.
 */

export const ADDRESS_FORBIDDEN =
  'address forbidden, you may need to set AllowedUntrustedInternalConnections to allow an integration access to your internal network';

export class AddressForbiddenError extends Error {
  readonly code = 'EADDRFORBIDDEN';
  constructor(readonly host: string) {
    super(ADDRESS_FORBIDDEN);
  }
}

// Mattermost's list (RFC 6890 ranges it refuses) plus the other special-purpose ranges of the IANA
// registries that no public web page lives on: shared address space, documentation, benchmarking,
// multicast and the reserved block. Stricter than Mattermost, which lets those through.
const RESERVED_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const RESERVED_V6 = ['::/128', '::1/128', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8'];

const reserved = new BlockList();
for (const cidr of RESERVED_V4) addSubnet(reserved, cidr);
for (const cidr of RESERVED_V6) addSubnet(reserved, cidr);

function addSubnet(list: BlockList, cidr: string): boolean {
  const [address, bits] = cidr.split('/');
  const family = isIP(address);
  const prefix = Number(bits);
  if (!family || bits === undefined || !/^\d+$/.test(bits) || prefix > (family === 4 ? 32 : 128)) return false;
  list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  return true;
}

/**
 * The IPv4 address an IPv6 one stands for, where it embeds one: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16). Checking the embedded
 * address keeps ::ffff:127.0.0.1 from passing as "not loopback".
 */
export function embeddedIPv4(address: string): string | undefined {
  if (isIP(address) !== 6) return undefined;
  const words = expandIPv6(address);
  if (!words) return undefined;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && words[5] === 0xffff) return v4(words[6], words[7]);
  if (zeros(0, 6) && (words[6] !== 0 || words[7] > 1)) return v4(words[6], words[7]);
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return v4(words[6], words[7]);
  if (words[0] === 0x2002) return v4(words[1], words[2]);
  return undefined;
}

function expandIPv6(address: string): number[] | undefined {
  let text = address.split('%')[0].toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const front = part(head);
  const back = part(tail);
  const fill = tail === undefined ? [] : new Array(8 - front.length - back.length).fill(0);
  const words = [...front, ...fill, ...back];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}

/** Mattermost's IsReservedIP, over the ranges above (an embedded IPv4 address is checked as such). */
export function isReservedAddress(address: string): boolean {
  const family = isIP(address);
  if (!family) return true;
  const v4 = family === 6 ? embeddedIPv4(address) : address;
  if (v4 && reserved.check(v4, 'ipv4')) return true;
  return family === 6 ? reserved.check(address.split('%')[0], 'ipv6') : false;
}

/**
 * Mattermost's IsOwnIP: a request to the host's own public address reaches its listening sockets
 * through the loopback interface, past host firewalls, so it is refused like loopback.
 */
export function isOwnAddress(address: string, interfaces = networkInterfaces()): boolean {
  const wanted = normalise(address);
  return Object.values(interfaces).some((list) => (list ?? []).some((i) => normalise(i.address) === wanted));
}

function normalise(address: string): string {
  const bare = address.split('%')[0].toLowerCase();
  return embeddedIPv4(bare) ?? (isIP(bare) === 6 ? (expandIPv6(bare) ?? []).join(':') : bare);
}

/** ServiceSettings.AllowedUntrustedInternalConnections, split as Mattermost splits it (spaces and commas). */
export class AllowList {
  readonly hosts: ReadonlySet<string>;
  private readonly cidrs = new BlockList();
  private hasCidrs = false;

  constructor(setting: string) {
    const entries = setting.split(/[\s,]+/).filter((e) => e !== '');
    this.hosts = new Set(entries);
    for (const entry of entries) {
      if (entry.includes('/') && addSubnet(this.cidrs, entry)) this.hasCidrs = true;
    }
  }

  /** The host as written in the URL (no port; an IPv6 literal without brackets) is listed as such. */
  allowsHost(host: string): boolean {
    return this.hosts.has(host);
  }

  /** A listed CIDR holds the address (or the IPv4 address it embeds). */
  allowsAddress(address: string): boolean {
    if (!this.hasCidrs) return false;
    const bare = address.split('%')[0];
    const v4 = isIP(bare) === 6 ? embeddedIPv4(bare) : undefined;
    if (v4 && this.cidrs.check(v4, 'ipv4')) return true;
    return this.cidrs.check(bare, isIP(bare) === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Mattermost's allowIP: public and not the machine's own, or inside a listed CIDR. */
export function addressAllowed(address: string, allow: AllowList, ownAddress: (a: string) => boolean = isOwnAddress): boolean {
  if (!isReservedAddress(address) && !ownAddress(address)) return true;
  return allow.allowsAddress(address);
}

export type { Resolver };

export interface GuardOptions {
  allow: AllowList;
  resolve?: Resolver;
  ownAddress?: (address: string) => boolean;
}

/**
 * The addresses a request to `host` may connect to, in the resolver's order: all of them when the
 * host is listed by name (as Mattermost dials a listed host directly), otherwise those that pass
 * addressAllowed. None allowed is an AddressForbiddenError; an address literal is checked without
 * any lookup, so a refused one fails at once.
 */
export async function allowedAddresses(host: string, options: GuardOptions): Promise<LookupAddress[]> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const literal = isIP(bare);
  if (literal) {
    const ok = options.allow.allowsHost(bare) || addressAllowed(bare, options.allow, options.ownAddress);
    if (!ok) throw new AddressForbiddenError(host);
    return [{ address: bare, family: literal }];
  }
  const addresses = await (options.resolve ?? systemResolver)(bare);
  if (options.allow.allowsHost(bare)) return addresses;
  const allowed = addresses.filter((a) => addressAllowed(a.address, options.allow, options.ownAddress));
  if (allowed.length === 0) throw new AddressForbiddenError(host);
  return allowed;
}
