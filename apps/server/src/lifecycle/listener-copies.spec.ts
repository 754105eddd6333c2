import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectFromAnotherProcess } from '#testing';
import { addListenerCopies, closeListenerCopies } from './listener-copies.js';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    closeListenerCopies(s);
    s.close();
  }
});

async function listening(backlog = 64): Promise<{ server: net.Server; port: number; accepted: net.Socket[] }> {
  const accepted: net.Socket[] = [];
  const server = net.createServer({ noDelay: true }, (socket) => accepted.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog }, resolve));
  return { server, port: (server.address() as AddressInfo).port, accepted };
}

/** The accept queue's limit of the socket listening on `port` (`ss -ltn`'s Send-Q for a listener). */
function maxBacklog(port: number): number {
  const line = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim();
  return Number(line.split(/\s+/)[2]);
}

/** How many connections the first event-loop iteration after a busy spell accepts. */
async function acceptedInOneIteration(port: number, accepted: net.Socket[], queued: number): Promise<number> {
  const client = connectFromAnotherProcess(port, queued);
  try {
    // Busy (as a loaded server is) while the client's connections complete and queue.
    const until = Date.now() + 700;
    while (Date.now() < until);
    // From one check phase to the next: one iteration, whose poll phase accepted.
    return await new Promise<number>((resolve) =>
      setImmediate(() => {
        const before = accepted.length;
        setImmediate(() => resolve(accepted.length - before));
      }),
    );
  } finally {
    client.stop();
  }
}

describe('addListenerCopies', () => {
  it('accepts as many connections per event-loop iteration as there are descriptors, one without copies', async () => {
    const plain = await listening();
    expect(await acceptedInOneIteration(plain.port, plain.accepted, 12)).toBe(1);

    const copied = await listening();
    expect(await addListenerCopies(copied.server, 7, 64)).toEqual({ added: 7 });
    expect(await acceptedInOneIteration(copied.port, copied.accepted, 12)).toBe(8);
  });

  it("hands every connection to the server's own listeners, and keeps the socket's accept queue", async () => {
    const { server, port, accepted } = await listening(300);
    await addListenerCopies(server, 3, 300);
    expect(maxBacklog(port), 'listen() on a copy would otherwise reset it to 511').toBe(300);
    const sockets = Array.from({ length: 20 }, () => net.connect(port, '127.0.0.1'));
    await Promise.all(sockets.map((s) => once(s, 'connect')));
    await expect.poll(() => accepted.length).toBe(20);
    expect(accepted.every((s) => s.remotePort !== undefined)).toBe(true);
    for (const s of sockets) s.destroy();
  });

  it('stops listening only when the copies are closed with the server', async () => {
    const { server, port } = await listening();
    await addListenerCopies(server, 2, 64);
    server.close();
    const stillListening = net.connect(port, '127.0.0.1');
    await once(stillListening, 'connect'); // a copy still holds the socket
    stillListening.destroy();
    closeListenerCopies(server);
    const refused = net.connect(port, '127.0.0.1');
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('adds nothing, and says why, when the server is not listening or the helper cannot run', async () => {
    expect(await addListenerCopies(net.createServer(), 3, 64)).toEqual({ added: 0, reason: 'the server is not listening' });
    const { server } = await listening();
    const failing = await addListenerCopies(server, 3, 64, () => {
      throw new Error('spawn EAGAIN');
    });
    expect(failing).toEqual({ added: 0, reason: 'spawn EAGAIN' });
    const missing = await addListenerCopies(server, 3, 64, () => spawn('/nonexistent/node', [], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] }));
    expect(missing).toMatchObject({ added: 0, reason: expect.stringContaining('ENOENT') });
  });
});
