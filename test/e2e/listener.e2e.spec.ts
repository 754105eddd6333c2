/**
 * The API listener's accept queue is as long as the system allows (net.core.somaxconn), as Go's
 * listener is for Mattermost: a burst of new connections that arrives while the server cannot
 * accept waits in the queue instead of having its SYNs dropped (the clients would retry after 1,
 * 3 and 7 s). Node's own backlog, 511, held 512 of the burst. And the server watches sixteen
 * descriptors of its listening socket, since Node accepts one connection per event-loop iteration
 * and descriptor (lifecycle/listener-copies.ts).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '#testing';
import { listenBacklog } from '../../apps/server/src/lifecycle/listen-backlog.js';
import { LISTENER_COPIES } from '../../apps/server/src/lifecycle/listener-copies.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
}, 60_000);
afterAll(() => server?.stop());

/** What the server asked the kernel for: this machine's somaxconn (4096 here). */
const backlog = listenBacklog();

/** Whether a TCP connection to host:port is established within `ms`. */
function established(host: string, port: number, ms: number, sockets: Socket[]): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    sockets.push(socket);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('connect', () => (clearTimeout(timer), resolve(true)));
    socket.once('error', () => (clearTimeout(timer), resolve(false)));
  });
}

it('queues a burst of connections beyond 511 while the server is stopped, and serves after', async () => {
  // More than Node's default queue holds, within the server's.
  const burst = Math.min(backlog, 1_000);
  const { hostname, port } = new URL(server.url);
  const sockets: Socket[] = [];
  process.kill(server.pid, 'SIGSTOP'); // nothing accepts: the kernel's queue holds them all
  try {
    const results = await Promise.all(Array.from({ length: burst }, () => established(hostname, Number(port), 3_000, sockets)));
    expect(results.filter(Boolean).length, `connections established of ${burst} (backlog ${backlog})`).toBe(burst);
  } finally {
    process.kill(server.pid, 'SIGCONT');
    for (const s of sockets) s.destroy();
  }
  expect((await fetch(`${server.url}/api/v4/system/ping`)).status).toBe(200);
});

/** The inode of the socket listening on `port` (/proc/net/tcp's tenth column). */
function listenerInode(port: number): string {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const fields = readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[3] === '0A' && f[1]?.endsWith(local));
  return fields![9];
}

it('holds sixteen descriptors of its listening socket, and the helper that made them is gone', async () => {
  // The copies are added right after listen(), while the server already answers: wait for them.
  const inode = listenerInode(Number(new URL(server.url).port));
  const descriptors = () =>
    readdirSync(`/proc/${server.pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${server.pid}/fd/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false; // closed meanwhile
      }
    }).length;
  await expect.poll(descriptors, { timeout: 10_000 }).toBe(LISTENER_COPIES + 1);
  const children = () => readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8').trim();
  await expect.poll(children, { timeout: 10_000, message: 'no helper process left' }).toBe('');
});
