import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';

/** What clientAddress reads of a request (an Express request, or a WebSocket upgrade's). */
export interface AddressedRequest {
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string };
}

/**
 * A request's client address, the one rate limits and login lockouts count under.
 *
 * Mattermost (utils.GetIPAddress) reads only the headers named in
 * ServiceSettings.TrustedProxyIPHeader, in that order, and takes the first that holds a valid IP;
 * without one, the socket's peer. So does this, with one difference: of a list such as
 * X-Forwarded-For it takes the right-most hop, not the left-most. Proxies append the address they
 * saw, so the right-most entry is the one the trusted proxy (the socket peer) wrote, and everything
 * left of it is whatever the client sent: taking the left-most let a client pick a new address per
 * request and step around every per-address limit. Behind several proxies in a row, have the outer
 * one set X-Real-IP (or the inner one rewrite X-Forwarded-For, nginx's real_ip module) and name that
 * header. A header that is not named is never read, whatever it holds.
 */
export function clientAddress(req: AddressedRequest, trustedProxyIPHeader: readonly string[]): string {
  for (const name of trustedProxyIPHeader) {
    const address = lastHop(req.headers[name.toLowerCase()]);
    if (address) return address;
  }
  return normalizeAddress(req.socket.remoteAddress ?? '');
}

/** The right-most entry of a (possibly repeated, comma-separated) header, if it is an IP. */
function lastHop(value: string | string[] | undefined): string {
  if (value === undefined) return '';
  const hops = (Array.isArray(value) ? value.join(',') : value).split(',');
  return normalizeAddress(hops[hops.length - 1]);
}

/**
 * An IP in one spelling: no brackets or zone, IPv4-mapped IPv6 (how a dual-stack socket reports an
 * IPv4 peer) as plain IPv4, IPv6 in lower case. '' when it is not an IP (a port, a name, junk), so
 * a malformed header falls back as Mattermost's net.ParseIP check does.
 */
export function normalizeAddress(value: string): string {
  let address = value.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  if (/^::ffff:\d{1,3}(\.\d{1,3}){3}$/i.test(address)) address = address.slice('::ffff:'.length);
  return isIP(address) ? address.toLowerCase() : '';
}

/**
 * The unit an address is counted in by the login limits: an IPv4 address, or an IPv6 address's /64
 * (one host usually holds a whole /64, so counting single IPv6 addresses would hand an attacker
 * 2^64 fresh counters).
 */
export function networkKey(address: string): string {
  if (isIP(address) !== 6) return address;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded, each without leading zeros. */
function ipv6Groups(address: string): string[] {
  const groups = (part: string) => (part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head, tail] = address.split('::');
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => parseInt(g, 16).toString(16));
}
