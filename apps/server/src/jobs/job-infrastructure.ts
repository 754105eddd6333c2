import { Logger } from '@nestjs/common';
import type { Config, ConfigService } from '#config';
import { BullMqDriver, DriverLogger, InProcessDriver, QueueDriver } from '#jobs';
import { MailDriver, SmtpMailDriver, smtpSettings } from '#mail';

const log = new Logger('jobs');
const driverLog: DriverLogger = (level, message) => (level === 'info' ? log.log(message) : level === 'warn' ? log.warn(message) : log.error(message));

/**
 * BullMQ on Redis when CacheSettings.RedisAddress is set (every node shares the queues), otherwise
 * the in-process driver (one node, nothing to set up).
 */
export function createQueueDriver(config: Config): QueueDriver {
  const cache = config.CacheSettings;
  if (!cache.RedisAddress) return new InProcessDriver(driverLog);
  return new BullMqDriver({
    address: cache.RedisAddress,
    password: cache.RedisPassword || undefined,
    db: cache.RedisDB,
    prefix: `${cache.RedisCachePrefix}mmjobs`,
    stalledAfterMs: config.JobSettings.StalledJobTimeoutSeconds * 1000,
    log: driverLog,
  });
}

/**
 * The mail driver: SMTP with the live EmailSettings (read at each send, so a saved config applies to
 * the next mail). The recording driver is for unit tests only.
 */
export function createMailDriver(config: Pick<ConfigService, 'get'>): MailDriver {
  return new SmtpMailDriver(() => smtpSettings(config.get().EmailSettings));
}
