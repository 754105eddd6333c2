import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['development'] },
  test: {
    // The WebSocket client logs every (re)connect; keep test output readable.
    onConsoleLog: (log) => !/^(websocket|got connection id|long timeout|missed websocket|ping received)/.test(log),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'bench/**/*.spec.ts', 'test/deploy/**/*.spec.ts'],
          exclude: ['apps/web/**', '**/node_modules/**'],
          environment: 'node',
          // Two workers (Vitest's default is cores − 1: one here), and files share their worker's
          // loaded modules instead of importing Nest and the rest again each (a run in a fifth of
          // the time); every spec puts back what it fakes (timers, clocks) in its own hooks.
          maxWorkers: 2,
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        // The web app's state logic and build checks: plain modules, no DOM (apps/web/README.md).
        test: { name: 'web', include: ['apps/web/**/*.spec.ts'], environment: 'node', maxWorkers: 2, isolate: false, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.spec.ts', 'test/clients/**/*.e2e.spec.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          // Each file starts its own server and database; two at a time fits two cores.
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.cluster.spec.ts'],
          // Nodes are started, killed, frozen and restarted; membership needs seconds to settle.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // A cluster's ports are fixed (8065/8074/8075), so each worker's clusters live on a
          // loopback subnet of their own (libs/testing cluster.ts). Two files at once ran the
          // project in 160-180 s instead of 270 s here, but the rolling restart then once failed a
          // read five times in a row with six nodes on two cores: one file at a time.
          pool: 'forks',
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
      {
        extends: true,
        test: {
          name: 'jobs',
          include: ['test/jobs/**/*.jobs.spec.ts'],
          // Nodes are killed and Redis is stopped for 30 s; a stalled job is taken over after seconds.
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // Several server processes each, on free ports and a Redis key prefix of their own: two
          // files at a time (most of a file's time is waiting for schedules and takeovers).
          pool: 'forks',
          maxWorkers: 2,
          sequence: { groupOrder: 3 },
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          // The web client in Debian's Chromium (libs/testing browser.ts); skipped when it is missing.
          include: ['test/web/**/*.e2e.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // A browser and a server per file: one file at a time, after the other suites.
          pool: 'forks',
          maxWorkers: 1,
          sequence: { groupOrder: 4 },
        },
      },
    ],
  },
});
