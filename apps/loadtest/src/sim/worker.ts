/**
 * A worker thread of the load generator: hosts the simulated users the driver assigns to it,
 * and every second sends the driver what they measured, with its own event-loop utilisation.
 *
 * Messages in:  { type: 'add', indices } | { type: 'remove', indices } | { type: 'stop' }
 * Messages out: { type: 'snapshot', snapshot } | { type: 'stopped' }
 */
import '#testing'; // the WebSocket and CloseEvent globals the client needs
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { LoadTestConfig } from '../config.js';
import { Collector } from '../metrics/collector.js';
import { instrumentFetch } from './http.js';
import { SimUser } from './user.js';

export interface WorkerInit {
  worker: number;
  config: LoadTestConfig;
  wsUrl: string;
  runStartMs: number;
  snapshotIntervalMs: number;
}

export type WorkerCommand = { type: 'add'; indices: number[] } | { type: 'remove'; indices: number[] } | { type: 'stop' };

const STOP_TIMEOUT_MS = 10_000;

/** WebSocketClient logs every (re)connect with console.log; thousands of users would flood the output. */
function quietWebSocketClient(): void {
  const log = console.log.bind(console);
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /^(websocket|got connection id|long timeout|missed websocket|ping received|reconnecting)/i.test(args[0])) return;
    log(...args);
  };
}

export function runWorker(init: WorkerInit, send: (msg: unknown) => void, onMessage: (fn: (cmd: WorkerCommand) => void) => void): void {
  const { config } = init;
  quietWebSocketClient();
  const collector = new Collector();
  instrumentFetch(collector, config.target.requestTimeoutMs);
  const users = new Map<number, SimUser>();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let elu = performance.eventLoopUtilization();

  const snapshot = () => {
    const next = performance.eventLoopUtilization();
    const interval = performance.eventLoopUtilization(next, elu);
    elu = next;
    let ready = 0;
    for (const u of users.values()) if (u.ready) ready++;
    const snap = collector.drain({
      worker: init.worker,
      users: { active: users.size, ready, loginFailures: 0 },
      loop: { elu: interval.utilization, delayP99Ms: delay.percentile(99) / 1e6 },
    });
    delay.reset();
    send({ type: 'snapshot', snapshot: snap });
  };
  const timer = setInterval(snapshot, init.snapshotIntervalMs);

  const settingsFor = (index: number) => {
    const username = `${config.users.usernamePrefix}${index}`;
    return {
      index,
      username,
      email: `${username}@${config.users.emailDomain}`,
      password: config.users.password,
      url: config.target.url,
      wsUrl: init.wsUrl,
      controller: config.userController,
      runStartMs: init.runStartMs,
    };
  };

  const handle = async (cmd: WorkerCommand): Promise<void> => {
    if (cmd.type === 'add') {
      for (const i of cmd.indices) {
        if (users.has(i)) continue;
        const u = new SimUser(settingsFor(i), collector);
        users.set(i, u);
        u.start();
      }
    } else if (cmd.type === 'remove') {
      await Promise.all(
        cmd.indices.map((i) => {
          const u = users.get(i);
          users.delete(i);
          return u?.stop();
        }),
      );
    } else if (cmd.type === 'stop') {
      const all = [...users.values()];
      users.clear();
      await Promise.race([Promise.all(all.map((u) => u.stop())), new Promise((r) => setTimeout(r, STOP_TIMEOUT_MS))]);
      snapshot();
      clearInterval(timer);
      delay.disable();
      send({ type: 'stopped' });
    }
  };
  // A command that fails must not become an unhandled rejection that ends the worker thread.
  onMessage((cmd) => {
    handle(cmd).catch((err: unknown) => console.error(`load-test worker ${init.worker}: ${cmd.type} failed:`, err));
  });
}

if (parentPort && workerData?.config) {
  const port = parentPort;
  runWorker(
    workerData as WorkerInit,
    (msg) => port.postMessage(msg),
    (fn) => port.on('message', fn),
  );
}
