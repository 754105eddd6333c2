import { hostname as osHostname, networkInterfaces } from 'node:os';
import { isIPv4 } from 'node:net';

/** The ClusterSettings that decide where a node listens and how peers reach it. */
export interface NodeAddressSettings {
  OverrideHostname: string;
  AdvertiseAddress: string;
  BindAddress: string;
  UseIPAddress: boolean;
  NetworkInterface: string;
}

/** One address of a network interface, as os.networkInterfaces() lists it. */
export interface InterfaceAddress {
  address: string;
  family: string | number;
  internal: boolean;
}

export interface HostEnvironment {
  interfaces: Record<string, InterfaceAddress[] | undefined>;
  hostname: string;
}

function currentHost(): HostEnvironment {
  return { interfaces: networkInterfaces(), hostname: osHostname() };
}

/** The address the gossip and streaming sockets bind to: BindAddress, or every IPv4 address. */
export function bindAddress(settings: Pick<NodeAddressSettings, 'BindAddress'>): string {
  return settings.BindAddress.trim() || '0.0.0.0';
}

/**
 * The hostname this node puts in the discovery table and its gossip metadata, i.e. where peers
 * reach it. Mattermost's order: OverrideHostname; then AdvertiseAddress; then, with UseIPAddress,
 * the first non-loopback, non-link-local IPv4 address (of NetworkInterface if set); otherwise
 * os.hostname(). One addition, as memberlist does: a specific IPv4 BindAddress (127.0.0.2 when
 * several nodes share a machine, or one interface's address) is advertised before the interface
 * scan, because a socket bound there is reachable at no other address.
 */
export function advertisedHostname(settings: NodeAddressSettings, host: HostEnvironment = currentHost()): string {
  const override = settings.OverrideHostname.trim();
  if (override) return override;
  const advertise = settings.AdvertiseAddress.trim();
  if (advertise) return advertise;
  const bind = settings.BindAddress.trim();
  if (isSpecificIPv4(bind)) return bind;
  if (settings.UseIPAddress) {
    const ip = firstUsableIPv4(host.interfaces, settings.NetworkInterface.trim());
    if (ip) return ip;
  }
  return host.hostname;
}

/** First IPv4 address that is neither loopback (internal) nor link-local (169.254/16). */
export function firstUsableIPv4(interfaces: HostEnvironment['interfaces'], onlyInterface = ''): string | undefined {
  const names = onlyInterface ? [onlyInterface] : Object.keys(interfaces);
  for (const name of names) {
    for (const entry of interfaces[name] ?? []) {
      const ipv4 = entry.family === 'IPv4' || entry.family === 4;
      if (ipv4 && !entry.internal && !isLoopbackIPv4(entry.address) && !isLinkLocalIPv4(entry.address)) {
        return entry.address;
      }
    }
  }
  return undefined;
}

export function isSpecificIPv4(address: string): boolean {
  return isIPv4(address) && address !== '0.0.0.0';
}

export function isLoopbackIPv4(address: string): boolean {
  return isIPv4(address) && address.startsWith('127.');
}

export function isLinkLocalIPv4(address: string): boolean {
  return isIPv4(address) && address.startsWith('169.254.');
}
