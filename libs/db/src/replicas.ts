import { Logger } from '@nestjs/common';
import pg from 'pg';
import { currentReadContext } from './read-context.js';

/**
 * One SqlSettings.ReplicaLagSettings entry. Mattermost's three fields: QueryAbsoluteLag and
 * QueryTimeLag are the operator's own statements, run on DataSource at each monitor round, each
 * returning one row (node, value) that becomes mattermost_db_replica_lag_abs/_time{node}.
 * Ours on top: when DataSource is one of DataSourceReplicas/DataSourceSearchReplicas, the two
 * thresholds take that replica out of service while its measured lag passes them (0: no limit).
 */
export interface ReplicaLagSetting {
  DataSource: string;
  QueryAbsoluteLag?: string;
  QueryTimeLag?: string;
  /** Most WAL bytes the replica may be behind the master (pg_current_wal_lsn − pg_last_wal_replay_lsn). */
  MaxAbsoluteLagBytes?: number;
  /** Longest the replica may be behind in time (now − pg_last_xact_replay_timestamp(), while WAL is outstanding). */
  MaxTimeLagSeconds?: number;
}

export interface ReplicaOptions {
  replicas: string[];
  searchReplicas: string[];
  lagSettings: ReplicaLagSetting[];
  /** SqlSettings.ReplicaMonitorIntervalSeconds, in ms. */
  monitorIntervalMs: number;
}

export type ReplicaKind = 'replica' | 'search';

/** One replica's state as the monitor last saw it (also what the metrics and tests read). */
export interface ReplicaStatus {
  /** Mattermost's connection names: replica-0, searchreplica-0, … */
  name: string;
  kind: ReplicaKind;
  inService: boolean;
  /** Why it is out ('' while in). */
  reason: string;
  lagBytes: number;
  lagSeconds: number;
  openConnections: number;
}

/** Replica connections give up sooner than the master's: a dead replica costs a request this long before it falls back to the master. */
const REPLICA_CONNECT_TIMEOUT_MS = 3_000;
/** How often the replicas' replay positions are read for read-your-writes (cheaper and more frequent than the health rounds). */
const POSITION_INTERVAL_MS = 250;

/** 0/16B3F10 → bytes since 0/0, as a number (exact up to 2^53 bytes of WAL). */
const LSN_SQL = (expr: string) => `pg_wal_lsn_diff(${expr}, '0/0')::bigint`;

class Replica {
  readonly pool: pg.Pool;
  inService = false;
  reason = 'not checked yet';
  /** pg_last_wal_replay_lsn() as last read; -1 unknown. */
  replay = -1;
  lagBytes = 0;
  lagSeconds = 0;
  constructor(
    readonly name: string,
    readonly kind: ReplicaKind,
    readonly url: string,
    config: pg.PoolConfig,
    readonly limits: { bytes: number; seconds: number },
    logger: Logger,
  ) {
    this.pool = new pg.Pool({ ...config, connectionString: url, connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS });
    this.pool.on('error', (err) => logger.warn(`idle ${name} connection failed: ${err.message}`));
  }
}

/** A failure that says the replica cannot be reached (or went away): the query is retried on the master and the replica taken out. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === 'string') {
    if (/^(08|57P)/.test(e.code)) return true; // connection_exception, admin/crash shutdown, cannot_connect_now
    if (/^E[A-Z]+/.test(e.code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, EHOSTUNREACH…
  }
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connect ECONN/i.test(e?.message ?? '');
}

/** A standby cancelled the statement because replay needed its rows (conflict with recovery): the master answers instead. */
function isRecoveryConflict(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '40001' && /conflict with recovery/i.test(e.message ?? '');
}

/**
 * The read replicas (SqlSettings.DataSourceReplicas, DataSourceSearchReplicas): a pool each, a
 * monitor that takes a replica out when it is down or lags past its ReplicaLagSettings limits and
 * puts it back when it recovers, and read-your-writes.
 *
 * Read-your-writes. A user who wrote must not read from a replica that has not replayed that
 * write yet — on any node, since nginx may send their next request anywhere. After a request that
 * wrote, the node reads the master's WAL position (pg_current_wal_lsn(), one trivial query per
 * writing request, taken after the commit so it covers it) and keeps it as the user's *fence*.
 * A replica serves that user again only once its pg_last_wal_replay_lsn() has reached the fence;
 * replay positions are read every 250 ms, so a writer stays on the master for about that long
 * past the replica's actual lag. The fence is handed to every other node (the server sends it
 * over the cluster's request channel and waits for the answers) *before* the response leaves, so
 * it is there wherever the user's next request lands; no shared store is read per request, and
 * no clocks are compared (positions in one WAL are totally ordered, wall clocks of nodes are not).
 * A node that starts, or a replica that comes back, serves nobody from a replica until the replica
 * has passed the master position sampled at that moment (`floor`): fences sent before then are
 * covered by it. Fences a replica has passed are dropped (the floor rises to them).
 * Mattermost itself has no read-your-writes (its stores pick GetMasterX for reads that must be
 * fresh); we keep its master/replica choices and add the fence for everything else.
 */
export class ReplicaSet {
  private readonly logger = new Logger('database');
  private readonly replicas: Replica[] = [];
  private readonly lagPools = new Map<number, pg.Pool>();
  /** Mattermost's lag queries' last answers, by the node they named. */
  private readonly queriedLag = { abs: new Map<string, number>(), time: new Map<string, number>() };
  private readonly fences = new Map<string, number>();
  private readonly fenceListeners: Array<(userId: string, lsn: number) => Promise<void>> = [];
  private floor = Number.POSITIVE_INFINITY;
  private rr = 0;
  private srr = 0;
  private timers: NodeJS.Timeout[] = [];
  private probing = false;
  private closed = false;

  constructor(
    private readonly master: pg.Pool,
    private readonly options: ReplicaOptions,
    poolConfig: pg.PoolConfig,
  ) {
    const limitsOf = (url: string) => {
      const setting = options.lagSettings.find((s) => s.DataSource === url);
      return { bytes: setting?.MaxAbsoluteLagBytes ?? 0, seconds: setting?.MaxTimeLagSeconds ?? 0 };
    };
    options.replicas.forEach((url, i) => this.replicas.push(new Replica(`replica-${i}`, 'replica', url, poolConfig, limitsOf(url), this.logger)));
    options.searchReplicas.forEach((url, i) => this.replicas.push(new Replica(`searchreplica-${i}`, 'search', url, poolConfig, limitsOf(url), this.logger)));
    options.lagSettings.forEach((s, i) => {
      if (!s.QueryAbsoluteLag && !s.QueryTimeLag) return;
      // One connection each, as Mattermost's replica-lag handles.
      const pool = new pg.Pool({ connectionString: s.DataSource, max: 1, connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS });
      pool.on('error', () => undefined);
      this.lagPools.set(i, pool);
    });
  }

  get size(): number {
    return this.replicas.length;
  }

  /** Starts the monitor: samples the floor, checks every replica now, then every interval. */
  async start(): Promise<void> {
    try {
      this.floor = await this.masterLsn();
    } catch (err) {
      this.logger.warn(`replica monitor: master position unavailable: ${(err as Error).message}`);
    }
    await this.healthRound();
    const health = setInterval(() => void this.healthRound(), this.options.monitorIntervalMs);
    const positions = setInterval(() => void this.positionRound(), POSITION_INTERVAL_MS);
    health.unref();
    positions.unref();
    this.timers.push(health, positions);
  }

  /** A replica for a read of this kind, or undefined for the master. */
  pick(kind: ReplicaKind): Replica | undefined {
    if (this.replicas.length === 0) return undefined;
    const ctx = currentReadContext();
    // Outside a request, or after this request wrote: the master (see the class comment).
    if (!ctx || ctx.wrote) return undefined;
    const fence = Math.max(this.floor, ctx.userId ? (this.fences.get(ctx.userId) ?? 0) : 0);
    const usable = (r: Replica) => r.inService && r.replay >= fence;
    if (kind === 'search') {
      const search = this.replicas.filter((r) => r.kind === 'search' && usable(r));
      if (search.length) return search[this.srr++ % search.length];
    }
    const replicas = this.replicas.filter((r) => r.kind === 'replica' && usable(r));
    if (replicas.length) return replicas[this.rr++ % replicas.length];
    return undefined;
  }

  /** Runs a read on `replica`; a connection failure takes it out, and the master answers instead. */
  async query<T>(replica: Replica, onReplica: (pool: pg.Pool) => Promise<T[]>, onMaster: () => Promise<T[]>): Promise<T[]> {
    try {
      return await onReplica(replica.pool);
    } catch (err) {
      if (isConnectionError(err)) {
        this.takeOut(replica, `down (${(err as Error).message})`);
        return onMaster();
      }
      if (isRecoveryConflict(err)) return onMaster();
      throw err;
    }
  }

  // ---- read-your-writes ------------------------------------------------------------------------

  /** After a request of `userId` wrote: fence the user at the master's current position and tell the other nodes. */
  async recordWrite(userId: string): Promise<void> {
    if (this.replicas.length === 0 || !userId) return;
    const lsn = await this.masterLsn();
    this.applyFence(userId, lsn);
    await Promise.all(this.fenceListeners.map((send) => send(userId, lsn)));
  }

  /** A fence from this node or another. */
  applyFence(userId: string, lsn: number): void {
    if (lsn > (this.fences.get(userId) ?? 0)) this.fences.set(userId, lsn);
  }

  /** Called with each fence this node sets, awaited before the writing request is answered. */
  onFence(listener: (userId: string, lsn: number) => Promise<void>): void {
    this.fenceListeners.push(listener);
  }

  fenceOf(userId: string): number | undefined {
    return this.fences.get(userId);
  }

  // ---- monitoring ------------------------------------------------------------------------------

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({
      name: r.name,
      kind: r.kind,
      inService: r.inService,
      reason: r.reason,
      lagBytes: r.lagBytes,
      lagSeconds: r.lagSeconds,
      openConnections: r.pool.totalCount,
    }));
  }

  /** mattermost_db_replica_lag_abs / _time: the operator's queries' answers by node, and our own measure of every replica. */
  lag(): { abs: Map<string, number>; time: Map<string, number> } {
    const abs = new Map(this.queriedLag.abs);
    const time = new Map(this.queriedLag.time);
    for (const r of this.replicas) {
      if (!abs.has(r.name)) abs.set(r.name, r.lagBytes);
      if (!time.has(r.name)) time.set(r.name, r.lagSeconds);
    }
    return { abs, time };
  }

  openConnections(kind: ReplicaKind): number {
    return this.replicas.filter((r) => r.kind === kind).reduce((n, r) => n + r.pool.totalCount, 0);
  }

  /** One monitor round now (tests, and the timer). */
  async healthRound(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      let masterLsn: number | undefined;
      try {
        masterLsn = await this.masterLsn();
        if (this.floor === Number.POSITIVE_INFINITY) this.floor = masterLsn; // the master was not there at start
      } catch {
        /* the master's own health is not the replicas' business: judge them on what they answer */
      }
      await Promise.all(this.replicas.map((r) => this.check(r, masterLsn)));
      await this.runLagQueries();
      this.pruneFences();
    } finally {
      this.probing = false;
    }
  }

  private async check(r: Replica, masterLsn: number | undefined): Promise<void> {
    let row: { recovering: boolean; replay: number | null; since: number | null };
    try {
      [row] = (
        await r.pool.query(
          `SELECT pg_is_in_recovery() AS recovering, ${LSN_SQL('pg_last_wal_replay_lsn()')} AS replay,
                  extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS since`,
        )
      ).rows;
    } catch (err) {
      r.lagBytes = 0;
      r.lagSeconds = 0;
      return this.takeOut(r, `down (${(err as Error).message})`);
    }
    // A promoted replica (or a wrong DataSource) is no standby: its data diverges from the master's.
    if (!row.recovering || row.replay === null) return this.takeOut(r, 'not a standby (pg_is_in_recovery() is false)');
    r.replay = Math.max(r.replay, row.replay);
    r.lagBytes = masterLsn === undefined ? 0 : Math.max(0, masterLsn - row.replay);
    // Time lag only counts while there is WAL to replay: an idle master's standby has an old
    // last-replay timestamp and is nonetheless current.
    r.lagSeconds = r.lagBytes > 0 ? Math.max(0, row.since ?? 0) : 0;
    if (r.limits.bytes > 0 && r.lagBytes > r.limits.bytes) return this.takeOut(r, `lagging ${r.lagBytes} bytes (MaxAbsoluteLagBytes ${r.limits.bytes})`);
    if (r.limits.seconds > 0 && r.lagSeconds > r.limits.seconds)
      return this.takeOut(r, `lagging ${r.lagSeconds.toFixed(1)} s (MaxTimeLagSeconds ${r.limits.seconds})`);
    if (!r.inService) {
      // Fences dropped while it was out raised the floor: pick() still holds it to them.
      r.inService = true;
      r.reason = '';
      this.logger.log(`${r.name} is in service (lag ${r.lagBytes} bytes, ${r.lagSeconds.toFixed(1)} s)`);
    }
  }

  /** Out of service; logged when it changes (not at every round it stays out). */
  private takeOut(r: Replica, reason: string): void {
    if (r.inService || r.reason === 'not checked yet') this.logger.warn(`${r.name} taken out of service: ${reason}`);
    r.inService = false;
    r.reason = reason;
  }

  /** Reads the in-service replicas' replay positions, so fenced users go back to them soon after they catch up. */
  private async positionRound(): Promise<void> {
    if (this.closed) return;
    await Promise.all(
      this.replicas
        .filter((r) => r.inService)
        .map(async (r) => {
          try {
            const [row] = (await r.pool.query(`SELECT ${LSN_SQL('pg_last_wal_replay_lsn()')} AS replay`)).rows;
            if (row?.replay !== null && row?.replay !== undefined) r.replay = Math.max(r.replay, Number(row.replay));
          } catch (err) {
            if (isConnectionError(err)) this.takeOut(r, `down (${(err as Error).message})`);
          }
        }),
    );
    this.pruneFences();
  }

  /** Drops the fences every in-service replica has passed (the floor keeps covering them for replicas out now). */
  private pruneFences(): void {
    if (this.fences.size === 0) return;
    const inService = this.replicas.filter((r) => r.inService);
    const passed = inService.length ? Math.min(...inService.map((r) => r.replay)) : Number.POSITIVE_INFINITY;
    for (const [user, lsn] of this.fences) {
      if (lsn <= passed) {
        this.fences.delete(user);
        if (this.floor !== Number.POSITIVE_INFINITY) this.floor = Math.max(this.floor, lsn);
      }
    }
  }

  private async runLagQueries(): Promise<void> {
    for (const [i, pool] of this.lagPools) {
      const s = this.options.lagSettings[i];
      for (const [query, into] of [
        [s.QueryAbsoluteLag, this.queriedLag.abs],
        [s.QueryTimeLag, this.queriedLag.time],
      ] as const) {
        if (!query) continue;
        try {
          // Each query answers rows of (node, value), as Mattermost reads them.
          const { rows, fields } = await pool.query(query);
          for (const row of rows) into.set(String(row[fields[0].name]), Number(row[fields[1]?.name]) || 0);
        } catch (err) {
          this.logger.warn(`ReplicaLagSettings[${i}] query failed: ${(err as Error).message}`);
        }
      }
    }
  }

  private async masterLsn(): Promise<number> {
    const { rows } = await this.master.query(`SELECT ${LSN_SQL('pg_current_wal_lsn()')} AS lsn`);
    return Number(rows[0].lsn);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.all([
      ...this.replicas.map((r) => r.pool.end().catch(() => undefined)),
      ...[...this.lagPools.values()].map((p) => p.end().catch(() => undefined)),
    ]);
  }
}
