import { spawn, type ChildProcess } from 'node:child_process';
import { Server as NetServer } from 'node:net';

/**
 * More descriptors of the server's listening socket, each watched by its own net.Server that hands
 * its connections to the server, so that a busy event loop still accepts connections fast.
 *
 * Why: Node 20's libuv (1.46) accepts one connection per event-loop iteration and per watched
 * descriptor (libuv pull request 3696), where Go's listener, Mattermost's, accepts in a goroutine
 * of its own. Under load an iteration takes tens to hundreds of milliseconds, so at the capacity
 * load test's tip the server accepted 5–13 connections a second while the burst of users that a
 * typing event makes look the typist up opened hundreds: the accept queue stayed full (4,097 of
 * 4,096), the kernel dropped SYNs, and requests timed out before the server ever saw them
 * (2026-12-06; docs/benchmarks.md). With `copies` more descriptors, an iteration accepts up to
 * copies + 1 connections. Several listening sockets (SO_REUSEPORT) would do the same, but Node 20
 * cannot open them (listen's reusePort arrived in Node 22.12).
 *
 * The copies are made by a short-lived helper process (HELPER_SOURCE) that sends the socket back
 * `copies` times over the IPC channel and exits; it never listens itself. The socket
 * keeps listening until every descriptor is closed: closeListenerCopies() must run with the
 * server's own close (lifecycle/drain.ts stopListening does).
 */
const copiesOf = new WeakMap<NetServer, NetServer[]>();

/** The server's: sixteen descriptors in all, up to sixteen connections accepted per iteration. */
export const LISTENER_COPIES = 15;

export type HelperLauncher = () => ChildProcess;

/**
 * The helper: sends the listening socket it is given back as many times as asked. Each send passes
 * the descriptor over the IPC channel (SCM_RIGHTS), so the parent gets a new descriptor of the same
 * socket each time. The socket arrives as a raw handle and is never listened on there, so the
 * helper accepts no connection of its own. Without NODE_OPTIONS or execArgv: nothing preloaded.
 */
const HELPER_SOURCE = `process.on('message', (m, handle) => {
  const copies = Number(m && m.copies);
  if (!handle || !Number.isSafeInteger(copies) || copies < 1) process.exit(2);
  for (let i = 0; i < copies; i++) process.send({ copy: i }, handle);
  process.send({ done: true });
});`;

const launchHelper: HelperLauncher = () =>
  spawn(process.execPath, ['-e', HELPER_SOURCE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, NODE_OPTIONS: '' } });

/**
 * Adds `copies` watchers of `server`'s listening socket (it must be listening), each with the
 * server's own socket options and `backlog` (listen() on a copy sets the socket's queue again).
 * Resolves with how many it added; 0, and a one-line reason, when the helper could not be run.
 */
export async function addListenerCopies(
  server: NetServer,
  copies: number,
  backlog: number,
  launch: HelperLauncher = launchHelper,
): Promise<{ added: number; reason?: string }> {
  const handle = (server as unknown as { _handle?: unknown })._handle;
  if (!server.listening || !handle) return { added: 0, reason: 'the server is not listening' };
  if (copies < 1) return { added: 0 };
  const options = server as unknown as { noDelay?: boolean; keepAlive?: boolean; keepAliveInitialDelay?: number };
  const added: NetServer[] = [];
  copiesOf.set(server, added);
  let child: ChildProcess;
  try {
    child = launch();
  } catch (err) {
    return { added: 0, reason: (err as Error).message };
  }
  // Resolves once the helper has exited: until then it holds a descriptor of the socket too.
  return new Promise((resolve) => {
    let reason: string | undefined;
    const timer = setTimeout(() => {
      reason = 'the helper did not answer in 10 s';
      child.kill('SIGKILL');
    }, 10_000);
    child.on('message', (message: { done?: boolean }, copy?: unknown) => {
      if (message?.done) return void child.disconnect(); // it exits once disconnected
      if (!copy) return;
      const watcher = new NetServer({
        noDelay: options.noDelay ?? true,
        keepAlive: options.keepAlive ?? false,
        keepAliveInitialDelay: (options.keepAliveInitialDelay ?? 0) * 1000,
      });
      watcher.on('connection', (socket) => server.emit('connection', socket));
      watcher.on('error', (err) => server.emit('error', err));
      watcher.listen(copy as never, backlog);
      added.push(watcher);
    });
    const settle = () => {
      clearTimeout(timer);
      child.removeAllListeners();
      resolve({ added: added.length, ...(reason ? { reason } : {}) });
    };
    child.once('error', (err) => {
      reason ??= err.message;
      if (child.pid === undefined) settle(); // never started: no exit will come
    });
    child.once('exit', (code) => {
      if (code) reason ??= `the helper exited with code ${code}`;
      settle();
    });
    child.send({ copies }, handle as never);
  });
}

/**
 * Closes the copies of `server`'s listening socket (the server's own descriptor is its close's).
 * Only the descriptors: the connections they accepted belong to the server and end with its own.
 */
export function closeListenerCopies(server: NetServer): void {
  const copies = copiesOf.get(server) ?? [];
  copiesOf.delete(server);
  // close() releases the descriptor at once; its callback would wait for the connections.
  for (const c of copies) if (c.listening) c.close();
}
