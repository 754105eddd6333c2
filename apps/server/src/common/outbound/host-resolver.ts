import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

export type Resolver = (host: string) => Promise<LookupAddress[]>;

/** How long a name that did not resolve keeps failing without a new lookup (nscd's negative time to live). */
export const NEGATIVE_TTL_MS = 20_000;

type Lookup = (host: string) => Promise<LookupAddress[]>;

const systemLookup: Lookup = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

/**
 * The resolver of the server's outgoing requests (link previews, the image proxy, webhooks):
 * the system's (dns.lookup: /etc/hosts, then DNS), with concurrent lookups of one name sharing
 * one query and a failed name failing again at once for NEGATIVE_TTL_MS. Answers are not kept:
 * the next request after one resolves asks again, as Mattermost's dialer does.
 *
 * Why: dns.lookup runs getaddrinfo on libuv's threadpool, four threads that bcrypt (every
 * password login), file reads and zlib also wait for. A post list can hold a dozen links to one
 * host; with a resolver that answers slowly, each lookup held a thread for seconds (200
 * concurrent lookups of one unresolvable name took 15 s at the median here), logins queued
 * behind them, and the node stopped serving at 300 users (bench:capacity, 2026-12-05).
 */
export function sharedResolver(lookup: Lookup = systemLookup, now: () => number = Date.now): Resolver {
  const inflight = new Map<string, Promise<LookupAddress[]>>();
  const failed = new Map<string, { until: number; error: unknown }>();
  return (host) => {
    const name = host.toLowerCase();
    const failure = failed.get(name);
    if (failure && failure.until > now()) return Promise.reject(failure.error);
    if (failure) failed.delete(name);
    let pending = inflight.get(name);
    if (!pending) {
      pending = lookup(name).then(
        (addresses) => {
          inflight.delete(name);
          return addresses;
        },
        (error: unknown) => {
          inflight.delete(name);
          failed.set(name, { until: now() + NEGATIVE_TTL_MS, error });
          // Bounded: names past their time go first, then the oldest.
          if (failed.size > 10_000) {
            for (const [k, v] of failed) if (v.until <= now() || failed.size > 10_000) failed.delete(k);
          }
          throw error;
        },
      );
      inflight.set(name, pending);
    }
    return pending;
  };
}

/** The process's resolver for outgoing requests. */
export const systemResolver: Resolver = sharedResolver();
