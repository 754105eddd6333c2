import type { Database, Queryable } from '#db';

/**
 * A Database for service specs over in-memory repositories: `transaction` runs the work at once,
 * and any SQL that reaches it (a write that bypassed the repositories) fails the test.
 */
export const memoryDatabase = {
  transaction: <T>(work: (tx: Queryable) => Promise<T>) => work({ query: () => Promise.reject(new Error('SQL outside the in-memory repositories')) }),
} as unknown as Database;
