/**
 * The push proxy process: `node dist/apps/push-proxy/src/main.js [--config file]` (npm run
 * push-proxy). It relays Mattermost servers' push notifications (POST /api/v1/send_push) to Apple
 * (APNs) and Google (FCM), as Mattermost's mattermost-push-proxy does, on ListenAddress (:8066).
 *
 * The config file: --config, else $PUSH_PROXY_CONFIG, else config/push-proxy.json (a sample is in
 * config/push-proxy.sample.json). SIGTERM or SIGINT stops it gracefully (exit 0); a second one
 * exits at once.
 */
import { parseArgs } from 'node:util';
import { createApp } from './app.js';
import { loadConfig, type PushProxyConfig } from './config.js';
import { createLogger } from './log.js';

const DEFAULT_CONFIG_FILE = 'config/push-proxy.json';
const log = createLogger();

function main(): void {
  const { values } = parseArgs({ options: { config: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`usage: push-proxy [--config FILE]   (default: $PUSH_PROXY_CONFIG or ${DEFAULT_CONFIG_FILE})\n`);
    return;
  }
  const file = values.config ?? process.env.PUSH_PROXY_CONFIG ?? DEFAULT_CONFIG_FILE;
  let config: PushProxyConfig;
  try {
    config = loadConfig(file);
  } catch (err) {
    log.error('push proxy not started: bad config', { err });
    process.exit(1);
  }
  const app = createApp(config, log);
  app.listen().then(
    (address) => log.info('push proxy listening', { address: `${address.address}:${address.port}`, config: file }),
    (err: unknown) => {
      log.error('push proxy could not listen', { listen_address: config.ListenAddress, err });
      process.exit(1);
    },
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('stopping: finishing the sends in flight', { signal });
    // Every send ends within SendTimeoutSec; past that something hangs.
    setTimeout(
      () => {
        log.error('sends still in flight after SendTimeoutSec: exiting');
        process.exit(1);
      },
      (config.SendTimeoutSec + 5) * 1000,
    ).unref();
    app.stop().then(
      () => {
        log.info('push proxy stopped');
        process.exit(0);
      },
      (err: unknown) => {
        log.error('push proxy stopped with an error', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
