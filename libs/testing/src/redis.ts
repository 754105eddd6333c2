/** Redis keys a test or benchmark wrote under its own prefix. */
import { Redis } from 'ioredis';

/** Deletes every key under `prefix` (SCAN, so a busy Redis is not blocked); `server` as #jobs' parseRedisAddress gives it. */
export async function deleteRedisKeys(server: { host: string; port: number; password?: string; db?: number }, prefix: string): Promise<void> {
  const redis = new Redis({ ...server, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
