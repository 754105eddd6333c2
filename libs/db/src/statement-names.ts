import type pg from 'pg';

/** How many statements a node prepares at most (pgx, the Go driver, caches 512 by default). */
export const DEFAULT_PREPARED_STATEMENTS = 500;

/** The DataSource parameter that sets it (pgx's name for its statement cache); 0 turns it off. */
const CAPACITY_PARAMETER = 'statement_cache_capacity';

/**
 * Names for the statements a node runs again and again, so that PostgreSQL parses, analyses and
 * rewrites each once per connection instead of on every run, as it does for an unnamed statement.
 *
 * It still plans every run: the pools set plan_cache_mode = force_custom_plan (database.ts). A
 * generic plan is built from the table as it was when it was cached, and kept until an ANALYZE
 * invalidates it; a table that grows fast (a new installation, an import) is then read with the
 * plan of a small one. EXPLAIN ANALYZE of a channel page cached at 100 posts and run at 20,100:
 * sequential scans, 33.8 ms, against 0.17 ms for a plan made at that size; bench:requests measured
 * the post lists at 5 to 8 times their PostgreSQL CPU with generic plans on a growing channel.
 *
 * That planning is half of PostgreSQL's time on statements (pg_stat_statements over a capacity
 * ramp to 2,300 users, 2026-12-08: 51.8 s planning against 52.6 s executing; the channel view plans
 * for 1.04 ms and runs for 0.19 ms). Kept generic plans for every statement but the range reads
 * (8b6d4fd) cut the view's PostgreSQL CPU by three quarters in bench:requests, and were taken out
 * again: with them, the load test's seeding, which grows team_members through the API and had
 * taken 2 minutes, had not finished its team members after 9, one backend at 100 % of a core
 * running a team's member count. Keeping plans needs them made again as the tables grow, not only
 * when an ANALYZE comes.
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
  /** Texts that must run unnamed from now on (forget). */
  private readonly refused = new Set<string>();
  private given = 0;

  constructor(readonly capacity: number) {}

  /**
   * The statement as pg takes it: named when the text has a name. A statement without values is
   * never named: pg sends it in the simple protocol, whose text may hold several statements, which
   * a named statement may not.
   */
  config(text: string, values: unknown[]): pg.QueryConfig {
    const name = values.length === 0 ? undefined : this.nameOf(text);
    return name === undefined ? { text, values } : { name, text, values };
  }

  get size(): number {
    return this.names.size;
  }

  /**
   * Runs `text` unnamed from now on: its prepared form failed in a way that naming again would
   * repeat (PostgreSQL's "cached plan must not change result type" after another node's migration
   * changed a table the statement reads). Its slot stays counted, since connections still hold it.
   */
  forget(text: string): void {
    if (this.names.delete(text)) this.refused.add(text);
  }

  private nameOf(text: string): string | undefined {
    const name = this.names.get(text);
    if (name !== undefined || this.given >= this.capacity || this.refused.has(text)) return name;
    if (!this.seen.has(text)) {
      if (this.seen.size >= this.capacity * 4) this.seen.clear();
      this.seen.add(text);
      return undefined;
    }
    this.seen.delete(text);
    const given = `mm_s${this.given++}`;
    this.names.set(text, given);
    return given;
  }
}

/** True for PostgreSQL's refusal to run a prepared statement whose result columns changed under it. */
export function isStalePreparedStatement(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
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
