import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { Config } from '#config';
import { BullMqDriver, DriverLogger, InProcessDriver, QueueDriver } from '#jobs';
import { MailDriver, RecordingMailDriver } from '#mail';

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
 * The mail driver. Only the recording one exists: it sends nothing and appends each message to
 * <FileSettings.Directory>/mail/recorded.jsonl. SMTP comes with the notifications issue.
 */
export function createMailDriver(config: Config): MailDriver {
  return new RecordingMailDriver({ file: join(config.FileSettings.Directory || './data/', 'mail', 'recorded.jsonl') });
}
