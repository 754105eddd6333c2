import { once } from 'node:events';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { ADMIN_DSN, createDatabase, databaseUrl, dropDatabase, stalledListener } from '#testing';
import { machineCpuSeconds } from '../../../../bench/machine.js';
import { acceptQueueLength, diskCounters, listenOverflowsTotal, PgActivity, pressureStallUs, ResourceMonitor, statementLabel } from './resources.js';

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

describe('stall readings', () => {
  it('reads busy, iowait and steal from the first line of /proc/stat', () => {
    const stat = 'cpu  5835 0 2386 15030 251 0 61 26 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n';
    expect(machineCpuSeconds(() => stat)).toEqual({ busy: (5835 + 2386 + 61 + 26) / 100, iowait: 2.51, steal: 0.26 });
  });

  it('reads the "some" stall total of /proc/pressure, 0 without PSI', () => {
    const psi = 'some avg10=0.80 avg60=1.08 avg300=0.52 total=2298302\nfull avg10=0.08 avg60=0.79 avg300=0.43 total=1988869\n';
    expect(pressureStallUs('io', () => psi)).toBe(2298302);
    expect(
      pressureStallUs('cpu', () => {
        throw new Error('ENOENT');
      }),
    ).toBe(0);
  });

  it('reads busy time and sectors written of whole disks, not partitions, loop or RAM devices', () => {
    const diskstats = [
      '   7       0 loop0 5 0 0 0 9 0 99 0 0 77 0 0 0 0 0 0 0',
      ' 254       0 vda 29343 6490 1445234 4213 28808 10637 2947184 16077 12 5032 21033 10203 22 780856 523 5380 218',
      ' 254       1 vda1 29000 6400 1440000 4200 28000 10600 2940000 16000 0 5000 21000 0 0 0 0 0 0',
      ' 259       0 nvme0n1 1 0 8 0 2 0 16 0 0 3 0 0 0 0 0 0 0',
      ' 259       1 nvme0n1p1 1 0 8 0 2 0 16 0 0 3 0 0 0 0 0 0 0',
      ' 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0',
    ].join('\n');
    expect([...diskCounters(() => diskstats)]).toEqual([
      ['vda', { busyMs: 5032, sectorsWritten: 2947184 }],
      ['nvme0n1', { busyMs: 3, sectorsWritten: 16 }],
    ]);
  });

  it('gives every sample the stall readings of the machine it runs on', () => {
    const monitor = new ResourceMonitor([process.pid]);
    const s = monitor.sample().stall!;
    for (const v of Object.values(s)) expect(v).toBeGreaterThanOrEqual(0);
    expect(s.diskBusyPercent).toBeLessThanOrEqual(100);
  });
});

describe('statementLabel', () => {
  it('names a statement by its shape: values, lists of values and a SELECT list left out', () => {
    expect(
      statementLabel(
        "SELECT p.id, p.message  FROM posts p\n WHERE p.channel_id = 'abc''d' AND p.create_at > 1700000000000 AND p.id IN ('a', 'b', 'c') LIMIT $1",
      ),
    ).toBe('SELECT … FROM posts p WHERE p.channel_id = ? AND p.create_at > ? AND p.id IN (?…) LIMIT ?');
    expect(statementLabel("SELECT 'x' AS a FROM t1 WHERE c = 2")).toBe(statementLabel("SELECT 'y' AS a FROM t1 WHERE c = 3"));
  });

  it('names a transaction sent in one trip by its statements, semicolons in values kept out', () => {
    expect(
      statementLabel(
        "BEGIN;INSERT INTO posts (id, message) VALUES ('a', 'x; y');UPDATE channels SET total_msg_count = total_msg_count + 1 WHERE id = 'c';COMMIT",
      ),
    ).toBe('INSERT INTO posts (id, message) VALUES (?…); UPDATE channels SET total_msg_count = total_msg_count + ? WHERE id = ?');
  });

  it('clips long statements and long transactions', () => {
    const long = `UPDATE t SET ${Array.from({ length: 40 }, (_, i) => `c${i} = c${i}`).join(', ')}`;
    expect(statementLabel(long)).toHaveLength(91);
    expect(statementLabel(Array(5).fill(long).join(';')).length).toBeLessThanOrEqual(241);
    expect(statementLabel('')).toBe('(none)');
  });
});

describe('PgActivity', () => {
  it("counts the database's busy backends by what they run, and a transaction waiting on its client by what it ran last", async () => {
    const name = await createDatabase();
    const [sleeper, waiter] = [new pg.Client(databaseUrl(name)), new pg.Client(databaseUrl(name))];
    const activity = new PgActivity(ADMIN_DSN, name);
    try {
      await Promise.all([sleeper.connect(), waiter.connect()]);
      await waiter.query('BEGIN');
      await waiter.query('SELECT count(*) FROM pg_class WHERE relpages > 2');
      await activity.sample();
      activity.startStatementPolls();
      await sleeper.query('SELECT pg_sleep(0.8)');
      const { statements } = await activity.sample();
      expect(statements['SELECT pg_sleep(?)']).toBeGreaterThan(0.5);
      expect(statements['idle in transaction after: SELECT … FROM pg_class WHERE relpages > ?']).toBeGreaterThan(0.9);
      // Each sample gives the polls since the previous one (a poll under way when it is taken counts in it).
      await waiter.query('COMMIT');
      await activity.sample();
      await new Promise((r) => setTimeout(r, 300));
      expect((await activity.sample()).statements).toEqual({});
    } finally {
      await activity.close();
      await Promise.all([sleeper.end(), waiter.end()]);
      await dropDatabase(name);
    }
  });
});
