/** Loopback ports for servers under test: a free one, or a fixed one that must be free. */
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { sleep } from './wait.js';

/** A port nothing listens on right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, host, () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => ok(port));
    });
  });
}

/** Why host:port cannot be bound now, or null when it can. */
export function bindError(host: string, port: number, protocol: 'tcp' | 'udp'): Promise<Error | null> {
  return new Promise((ok) => {
    if (protocol === 'tcp') {
      const srv = createServer();
      srv.once('error', ok);
      srv.listen(port, host, () => srv.close(() => ok(null)));
    } else {
      const sock = createSocket('udp4');
      sock.once('error', (err) => {
        sock.close();
        ok(err);
      });
      sock.bind(port, host, () => sock.close(() => ok(null)));
    }
  });
}

/** Waits (up to 5 s) for host:port to be bindable; names whoever holds it if it stays taken. */
export async function assertPortFree(host: string, port: number, protocol: 'tcp' | 'udp'): Promise<void> {
  const deadline = Date.now() + 5000;
  let error = await bindError(host, port, protocol);
  while (error && Date.now() < deadline) {
    await sleep(200);
    error = await bindError(host, port, protocol);
  }
  if (error) {
    const holder = spawnSync('ss', [protocol === 'tcp' ? '-ltnpH' : '-lunpH', `src ${host}:${port}`], { encoding: 'utf8', timeout: 2000 }).stdout?.trim();
    throw new Error(
      `${host}:${port}/${protocol} is in use (${error.message}; ${holder || 'holder unknown'}); is another cluster test or a leftover node running?`,
    );
  }
}
