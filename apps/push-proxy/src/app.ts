/**
 * The proxy wired together from its config: metrics, one target per platform setting, the
 * throttle and the HTTP server. main.ts runs it as a process.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parseListenAddress, type PushProxyConfig } from './config.js';
import type { Logger } from './log.js';
import { PushMetrics } from './metrics.js';
import { Handlers } from './server/handlers.js';
import { createProxyServer } from './server/http-server.js';
import { Throttle } from './server/throttle.js';
import { createTargets } from './targets.js';

export interface PushProxyApp {
  listen(): Promise<AddressInfo>;
  /** Stops accepting, waits for the sends in flight, closes provider connections. */
  stop(): Promise<void>;
}

export function createApp(config: PushProxyConfig, log: Logger): PushProxyApp {
  const metrics = config.EnableMetrics ? new PushMetrics() : undefined;
  const targets = createTargets(config, {
    log,
    metrics,
    retry: { attemptTimeoutMs: config.RetryTimeoutSec * 1000, totalTimeoutMs: config.SendTimeoutSec * 1000 },
  });
  const throttle = config.ThrottlePerSec > 0 ? new Throttle(config.ThrottlePerSec, config.ThrottleMemoryStoreSize, config.ThrottleVaryByHeader) : undefined;
  const proxy = createProxyServer({ handlers: new Handlers(targets, log, metrics), log, metrics, throttle, version: versionInfo() });

  return {
    listen: () =>
      new Promise((resolve, reject) => {
        const { host, port } = parseListenAddress(config.ListenAddress);
        proxy.server.once('error', reject);
        proxy.server.listen(port, host, () => resolve(proxy.server.address() as AddressInfo));
      }),
    stop: async () => {
      await proxy.shutdown();
      await Promise.all([...targets.values()].map((t) => t.close()));
    },
  };
}

/** GET /version: the package's version; the build hash when the build stamped one in PUSH_PROXY_BUILD_HASH. */
function versionInfo(): { hash: string; version: string } {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    /* no package.json above: run from elsewhere */
  }
  return { hash: process.env.PUSH_PROXY_BUILD_HASH ?? 'unknown', version };
}
