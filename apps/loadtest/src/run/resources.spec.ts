import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { stalledListener } from '#testing';
import { acceptQueueLength, listenOverflowsTotal } from './resources.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';

describe('acceptQueueLength', () => {
  it("sums the receive queues of the port's listening sockets, IPv4 and IPv6, and nothing else", () => {
    const files: Record<string, string> = {
      '/proc/net/tcp':
        HEADER +
        '   0: 0100007F:1F81 00000000:0000 0A 00000000:00000011 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n' +
        // an established connection on the same port: its receive queue is data, not connections
        '   1: 0100007F:1F81 0100007F:9C40 01 00000000:00000200 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1\n' +
        // another port's listener
        '   2: 0100007F:1F82 00000000:0000 0A 00000000:00000005 00:00000000 00000000     0        0 3 1 0 100 0 0 10 0\n',
      '/proc/net/tcp6':
        HEADER +
        '   0: 00000000000000000000000001000000:1F81 00000000000000000000000000000000:0000 0A 00000000:00000002 00:00000000 00000000 0 0 4 1 0 100 0 0 10 0\n',
    };
    expect(acceptQueueLength(8065, (p) => files[p])).toBe(0x11 + 2);
    expect(acceptQueueLength(8066, (p) => files[p])).toBe(5);
    expect(acceptQueueLength(9000, (p) => files[p])).toBe(0);
  });

  it('sees the connections waiting on a listener that does not accept', async () => {
    const listener = await stalledListener(8);
    try {
      const clients = Array.from({ length: 3 }, () => net.connect(listener.port, '127.0.0.1').on('error', () => {}));
      await Promise.all(clients.map((c) => once(c, 'connect')));
      expect(acceptQueueLength(listener.port)).toBe(3);
      for (const c of clients) c.destroy();
    } finally {
      listener.stop();
    }
  });
});

describe('listenOverflowsTotal', () => {
  it('reads TcpExt ListenOverflows from /proc/net/netstat', () => {
    const netstat = 'TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 42 42\nIpExt: InNoRoutes\nIpExt: 0\n';
    expect(listenOverflowsTotal(() => netstat)).toBe(42);
    expect(listenOverflowsTotal(() => 'IpExt: InNoRoutes\nIpExt: 0\n')).toBe(0);
  });
});
