import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What the database knows of the request it is serving: whose it is, whether it has written, and
 * (while the API metrics count them) how many statements it ran for how long. Set by the server
 * around each API request (AsyncLocalStorage, so every query the request runs, however deep, sees
 * it); reads outside any request (jobs, socket actions, cluster handlers) have none and so always
 * go to the master.
 */
export interface ReadContext {
  /** The session's user ('' when not signed in). */
  userId: string;
  /** Set by the first statement of the request that is not a read: its later reads stay on the master. */
  wrote: boolean;
  /** The request was answered (its fence taken); work it left running may still write. */
  answered?: boolean;
  /** Statements run and their time on the database (round trips included), when counted. */
  db?: RequestDbStats;
}

export interface RequestDbStats {
  queries: number;
  ms: number;
}

const storage = new AsyncLocalStorage<ReadContext>();

/** Runs `work` (and everything it starts) as one request of `userId`; `db` collects its statements. */
export function runWithReadContext<T>(userId: string, work: () => T, db?: RequestDbStats): T {
  return storage.run({ userId, wrote: false, db }, work);
}

export function currentReadContext(): ReadContext | undefined {
  return storage.getStore();
}

/**
 * Whether a statement only reads. Conservative: anything but a plain SELECT/SHOW/VALUES, or a
 * WITH that modifies data, counts as a write (SELECT … FOR UPDATE only runs in transactions,
 * which count as writes anyway).
 */
export function isReadOnlyStatement(sql: string): boolean {
  const head = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  if (head === 'select' || head === 'show' || head === 'values') return true;
  if (head === 'with') return !/\b(insert|update|delete|merge)\b/i.test(sql);
  return false;
}
