import type { Database, Queryable } from '#db';

/** A transaction handle for in-memory repositories, which ignore it: any SQL sent through it fails the test. */
export const noSql: Queryable = { query: () => Promise.reject(new Error('SQL outside the in-memory repositories')) };

/**
 * A Database for service specs over in-memory repositories: `transaction` and
 * `transactionInOneTrip` run the work at once, and any SQL that reaches them (a write that
 * bypassed the repositories) fails the test.
 */
export const memoryDatabase = {
  transaction: <T>(work: (tx: Queryable) => Promise<T>) => work(noSql),
  transactionInOneTrip: <T>(build: (tx: Queryable) => T) => Promise.resolve().then(() => build(noSql)),
} as unknown as Database;
