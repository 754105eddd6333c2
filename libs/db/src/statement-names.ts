import type pg from 'pg';

/** How many statements a node prepares at most (pgx, the Go driver, caches 512 by default). */
export const DEFAULT_PREPARED_STATEMENTS = 500;

/** The DataSource parameter that sets it (pgx's name for its statement cache); 0 turns it off. */
const CAPACITY_PARAMETER = 'statement_cache_capacity';

/**
 * Names for the statements a node runs again and again, so that PostgreSQL parses each once per
 * connection and, after its first five runs, keeps a generic plan when that costs no more than
 * planning each run (plan_cache_mode auto), instead of parsing and planning every run as it does
 * for an unnamed statement. The post lists' statements cost PostgreSQL more to plan than to run
 * (pg_stat_statements: 0.59 ms of planning against 0.32 ms of execution for a page with its
 * cursors), so this halves what a post list costs the database (bench:requests).
 *
 * Bounded, so that each connection holds at most `capacity` prepared statements: a text gets a name
 * the second time it is seen, while fewer than `capacity` have one, and keeps it; the others run
 * unnamed, as every statement did before. A text seen once (a migration, a bulk insert's batch of
 * a given size) takes no name. Names are never given to another text (pg refuses that on a
 * connection that prepared the name). Statements sent as text with their values inline (a
 * transaction's BEGIN with its first statement, its last ones with the COMMIT) are not prepared.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  /** Texts seen once, waiting for a second run; cleared when it grows past its bound. */
  private readonly seen = new Set<string>();

  constructor(readonly capacity: number) {}

  /** The statement as pg takes it: named when the text has a name. */
  config(text: string, values: unknown[]): pg.QueryConfig {
    const name = this.nameOf(text);
    return name === undefined ? { text, values } : { name, text, values };
  }

  get size(): number {
    return this.names.size;
  }

  private nameOf(text: string): string | undefined {
    const name = this.names.get(text);
    if (name !== undefined || this.names.size >= this.capacity) return name;
    if (!this.seen.has(text)) {
      if (this.seen.size >= this.capacity * 4) this.seen.clear();
      this.seen.add(text);
      return undefined;
    }
    this.seen.delete(text);
    const given = `mm_s${this.names.size}`;
    this.names.set(text, given);
    return given;
  }
}

/**
 * The DataSource without its statement_cache_capacity parameter (pg does not know it), and the
 * number it gives: 0 for a connection pooler that cannot keep a prepared statement between
 * transactions (PgBouncer in transaction mode before 1.21, or without max_prepared_statements).
 */
export function takeStatementCacheCapacity(url: string): { url: string; capacity?: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  const value = parsed.searchParams.get(CAPACITY_PARAMETER);
  if (value === null) return { url };
  parsed.searchParams.delete(CAPACITY_PARAMETER);
  const capacity = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(capacity))
    throw new Error(`SqlSettings.DataSource: ${CAPACITY_PARAMETER} must be a whole number, got "${value}"`);
  return { url: parsed.toString(), capacity };
}
