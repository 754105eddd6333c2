import { readFileSync } from 'node:fs';

/** Node's own backlog, kept where the system's cannot be read. */
const NODE_DEFAULT_BACKLOG = 511;

/**
 * The listen backlog (the accept queue's length) that Mattermost's listener gets: Go's net package
 * passes the system's net.core.somaxconn (4096 on current Linux), where Node passes 511. When more
 * connections arrive at once than the queue holds and the event loop is busy, the kernel drops
 * their SYNs and clients retry after 1, 3 and 7 s: at the capacity load test's tip, a burst of
 * the users that a typing event makes look the typist up opened that many connections, and those
 * requests timed out (ListenOverflows in /proc/net/netstat, 2026-12-06).
 */
export function listenBacklog(read: () => string = () => readFileSync('/proc/sys/net/core/somaxconn', 'utf8')): number {
  try {
    const n = Number(read().trim());
    return Number.isSafeInteger(n) && n > 0 ? n : NODE_DEFAULT_BACKLOG;
  } catch {
    return NODE_DEFAULT_BACKLOG;
  }
}
