/**
 * How long a server whose event loop is busy takes to accept a burst of new connections, with one
 * descriptor of its listening socket and with the server's sixteen (lifecycle/listener-copies.ts).
 * The loop burns BUSY_MS per iteration, as a loaded server's does; the burst comes from another
 * process. A development measurement for issue 17 (the accept queue at the capacity test's tip):
 *
 *   npx tsc -p tsconfig.bench.json && node dist-bench/bench/accept-burst.js [connections] [busyMs]
 */
import net, { type AddressInfo } from 'node:net';
import { connectFromAnotherProcess } from '#testing';
import { addListenerCopies, closeListenerCopies, LISTENER_COPIES } from '../apps/server/src/lifecycle/listener-copies.js';

const connections = Number(process.argv[2] ?? 300);
const busyMs = Number(process.argv[3] ?? 20);

async function acceptMs(copies: number): Promise<number> {
  let accepted = 0;
  const sockets: net.Socket[] = [];
  const server = net.createServer({ noDelay: true }, (s) => {
    sockets.push(s);
    accepted++;
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  if (copies > 0) await addListenerCopies(server, copies, 4096);
  const port = (server.address() as AddressInfo).port;
  let busy = true;
  const burn = () => {
    const end = performance.now() + busyMs;
    while (performance.now() < end);
    if (busy) setImmediate(burn);
  };
  setImmediate(burn);
  const t0 = performance.now();
  const client = connectFromAnotherProcess(port, connections);
  await new Promise<void>((resolve) => {
    const check = () => (accepted >= connections ? resolve() : setTimeout(check, 1));
    check();
  });
  const ms = performance.now() - t0;
  busy = false;
  client.stop();
  for (const s of sockets) s.destroy();
  closeListenerCopies(server);
  server.close();
  return ms;
}

const one = await acceptMs(0);
const sixteen = await acceptMs(LISTENER_COPIES);
console.log(
  JSON.stringify({
    connections,
    busyMsPerIteration: busyMs,
    acceptMsOneDescriptor: Math.round(one),
    acceptMsWithCopies: Math.round(sixteen),
    descriptors: LISTENER_COPIES + 1,
  }),
);
