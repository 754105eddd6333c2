/**
 * CPU and memory of the processes involved, from /proc, sampled by the driver at every tick:
 * the chat server(s), all PostgreSQL processes, this load generator (all its threads) and the
 * machine as a whole. CPU is given in % of one core (200 % = both cores of a 2-core machine).
 * And the accept queue of the port the users connect to: connections the kernel has completed
 * that the server has not accepted yet, and the SYNs it dropped because that queue was full.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { cpuSeconds, machineCpuSeconds, rssKiB } from '../../../../bench/machine.js';

export interface ResourceSample {
  serverCpuPercent: number;
  serverRssMiB: number;
  postgresCpuPercent: number;
  generatorCpuPercent: number;
  generatorRssMiB: number;
  machineCpuPercent: number;
  cores: number;
  /** Connections waiting in the accept queue of the target's port at the sample. */
  acceptQueue: number;
  /** Connections dropped since the previous sample because an accept queue was full (TcpExt ListenOverflows, machine-wide). */
  listenOverflows: number;
  /**
   * What can stall the server without costing it CPU (absent in reports from before they were sampled):
   * CPU the hypervisor gave to other guests (steal) and idle time with I/O outstanding (iowait), both
   * in % of one core; the share of wall time some task waited for a CPU or for I/O (Linux pressure
   * stall information, "some"); and the busiest disk's utilisation and write rate.
   */
  stall?: StallSample;
}

export interface StallSample {
  stealPercent: number;
  iowaitPercent: number;
  cpuPressurePercent: number;
  ioPressurePercent: number;
  diskBusyPercent: number;
  diskWriteMiBPerSec: number;
}

const readText = (path: string) => readFileSync(path, 'utf8');

/**
 * Connections waiting to be accepted on `port`: for a listening socket, the receive-queue column of
 * /proc/net/tcp{,6} is its accept queue (what `ss -ltn` shows as Recv-Q).
 */
export function acceptQueueLength(port: number, read: (path: string) => string = readText): number {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let waiting = 0;
  for (const path of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = read(path);
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] !== '0A' || !f[1]?.endsWith(local)) continue; // 0A: LISTEN
      waiting += parseInt(f[4].split(':')[1], 16) || 0;
    }
  }
  return waiting;
}

/** The kernel's count of connections dropped because an accept queue was full (TcpExt ListenOverflows). */
export function listenOverflowsTotal(read: (path: string) => string = readText): number {
  try {
    const lines = read('/proc/net/netstat').split('\n');
    for (let i = 0; i + 1 < lines.length; i++) {
      if (!lines[i].startsWith('TcpExt:') || !lines[i + 1].startsWith('TcpExt:')) continue;
      const names = lines[i].trim().split(/\s+/);
      const values = lines[i + 1].trim().split(/\s+/);
      const at = names.indexOf('ListenOverflows');
      return at > 0 ? Number(values[at]) || 0 : 0;
    }
  } catch {
    /* not Linux */
  }
  return 0;
}

/** Microseconds some task waited on `resource` so far (/proc/pressure, "some total="); 0 without PSI. */
export function pressureStallUs(resource: 'cpu' | 'io', read: (path: string) => string = readText): number {
  try {
    return Number(/^some .*total=(\d+)/m.exec(read(`/proc/pressure/${resource}`))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Per disk (whole devices, not partitions, loop or RAM devices): milliseconds it was busy with I/O and
 * sectors written so far (/proc/diskstats fields 10 and 7 after the name).
 */
export function diskCounters(read: (path: string) => string = readText): Map<string, { busyMs: number; sectorsWritten: number }> {
  const out = new Map<string, { busyMs: number; sectorsWritten: number }>();
  try {
    for (const line of read('/proc/diskstats').split('\n')) {
      const f = line.trim().split(/\s+/);
      const name = f[2];
      if (!name || /^(loop|ram|zram|sr|fd)/.test(name) || /^(sd|vd|xvd|hd)[a-z]+\d+$|^nvme\d+n\d+p\d+$|^mmcblk\d+p\d+$/.test(name)) continue;
      out.set(name, { busyMs: Number(f[12]) || 0, sectorsWritten: Number(f[9]) || 0 });
    }
  } catch {
    /* not Linux */
  }
  return out;
}

/** pids of every process whose command name is `name` (e.g. the postgres backends). */
function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

function safeCpu(pid: number): number | undefined {
  try {
    return cpuSeconds(pid);
  } catch {
    return undefined;
  }
}

export class ResourceMonitor {
  private last: ReturnType<ResourceMonitor['read']>;
  readonly cores = cpus().length;

  /** `listenPort`: the port the users connect to (the node's, or nginx's in front of several). */
  constructor(
    private readonly serverPids: number[],
    private readonly listenPort?: number,
  ) {
    this.last = this.read();
  }

  private read() {
    const server = new Map<number, number>();
    for (const pid of this.serverPids) {
      const c = safeCpu(pid);
      if (c !== undefined) server.set(pid, c);
    }
    const pg = new Map<number, number>();
    for (const pid of pidsNamed('postgres')) {
      const c = safeCpu(pid);
      if (c !== undefined) pg.set(pid, c);
    }
    const self = process.cpuUsage();
    const { busy: machine, iowait, steal } = machineCpuSeconds();
    return {
      at: performance.now(),
      server,
      pg,
      self: (self.user + self.system) / 1e6,
      machine,
      iowait,
      steal,
      overflows: listenOverflowsTotal(),
      cpuStallUs: pressureStallUs('cpu'),
      ioStallUs: pressureStallUs('io'),
      disks: diskCounters(),
    };
  }

  private stall(now: ReturnType<ResourceMonitor['read']>, wall: number): StallSample {
    let busiest = { busyMs: 0, sectorsWritten: 0 };
    for (const [name, d] of now.disks) {
      const before = this.last.disks.get(name);
      if (!before) continue;
      const delta = { busyMs: d.busyMs - before.busyMs, sectorsWritten: d.sectorsWritten - before.sectorsWritten };
      if (delta.busyMs > busiest.busyMs) busiest = delta;
    }
    const perWall = (v: number) => Math.max(0, v) / wall;
    return {
      stealPercent: perWall(now.steal - this.last.steal) * 100,
      iowaitPercent: perWall(now.iowait - this.last.iowait) * 100,
      cpuPressurePercent: perWall((now.cpuStallUs - this.last.cpuStallUs) / 1e6) * 100,
      ioPressurePercent: perWall((now.ioStallUs - this.last.ioStallUs) / 1e6) * 100,
      diskBusyPercent: Math.min(100, perWall(busiest.busyMs / 1000) * 100),
      diskWriteMiBPerSec: perWall((busiest.sectorsWritten * 512) / 2 ** 20),
    };
  }

  /** Usage since the previous call. */
  sample(): ResourceSample {
    const now = this.read();
    const wall = Math.max(1e-3, (now.at - this.last.at) / 1000);
    const delta = (a: Map<number, number>, b: Map<number, number>) => {
      let s = 0;
      for (const [pid, v] of a) {
        const before = b.get(pid);
        // A process that appeared since the last sample: only what it used since then is unknown; skip it.
        if (before !== undefined) s += Math.max(0, v - before);
      }
      return s;
    };
    let rss = 0;
    for (const pid of this.serverPids) {
      try {
        rss += rssKiB(pid);
      } catch {
        /* gone */
      }
    }
    const out: ResourceSample = {
      serverCpuPercent: (delta(now.server, this.last.server) / wall) * 100,
      serverRssMiB: rss / 1024,
      postgresCpuPercent: (delta(now.pg, this.last.pg) / wall) * 100,
      generatorCpuPercent: ((now.self - this.last.self) / wall) * 100,
      generatorRssMiB: process.memoryUsage().rss / 2 ** 20,
      machineCpuPercent: ((now.machine - this.last.machine) / wall) * 100,
      cores: this.cores,
      acceptQueue: this.listenPort ? acceptQueueLength(this.listenPort) : 0,
      listenOverflows: Math.max(0, now.overflows - this.last.overflows),
      stall: this.stall(now, wall),
    };
    this.last = now;
    return out;
  }
}

export interface PgSample {
  backends: Record<string, number>;
  /** Busy backends on average since the last sample, by what they ran (statementLabel), most first. */
  statements: Record<string, number>;
  xactPerSec: number;
  walMiBPerSec: number;
  /** The checkpointer's wait event ('' when unknown). */
  checkpointer: string;
}

export const NO_PG_SAMPLE: PgSample = { backends: {}, statements: {}, xactPerSec: 0, walMiBPerSec: 0, checkpointer: '' };

const LABEL_PART_CHARS = 90;
const LABEL_CHARS = 240;

/**
 * A short name for a statement as pg_stat_activity shows it, so that busy backends can be counted by
 * what they run: values become `?` (a list of them `?…`), a SELECT's column list `…`, and a
 * transaction sent in one trip (`BEGIN;…;COMMIT`) the names of its statements joined by `; `.
 */
export function statementLabel(query: string): string {
  const text = query
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\?(?:\s*,\s*\?)+/g, '?…')
    .replace(/\s+/g, ' ')
    .trim();
  const parts = text
    .split(/;\s*/)
    .map((s) => s.trim())
    .filter((s) => s && !/^(BEGIN|COMMIT|START TRANSACTION)\b/i.test(s))
    .map((s) => clip(s.replace(/^SELECT\s.*?\sFROM\s/i, 'SELECT … FROM '), LABEL_PART_CHARS));
  return clip(parts.join('; '), LABEL_CHARS) || '(none)';
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max)}…` : s);

/** How often the busy backends' statements are read: often enough for a tick's share, cheap enough not to count. */
const STATEMENT_POLL_MS = 100;
const STATEMENTS_KEPT = 8;

/**
 * What the server's PostgreSQL backends are doing, sampled at every tick from pg_stat_activity
 * (as bench:core does): per state and wait event ("active CPU", "active IO:WALSync",
 * "idle in transaction Client:ClientRead", …), how many backends. Lock or WAL waits here mean
 * requests queue in the database rather than on a CPU.
 */
export class PgActivity {
  private client?: pg.Client;
  /** Its own connection, so that a slow tick query never delays a poll. */
  private poller?: pg.Client;
  private pollTimer?: NodeJS.Timeout;
  /** The poll in flight, if any. */
  private polling?: Promise<void>;
  private polls = 0;
  private seen = new Map<string, number>();

  constructor(
    private readonly adminDsn: string,
    private readonly database: string,
  ) {}

  /**
   * Starts reading, every STATEMENT_POLL_MS, which statements the busy backends run ("active") or ran
   * last ("idle in transaction after …": a transaction waiting on its client). A tick's sample at
   * every 2 s alone sees too few backends to tell which statements take PostgreSQL's time.
   */
  startStatementPolls(): void {
    this.pollTimer = setInterval(() => this.poll(), STATEMENT_POLL_MS);
  }

  private poll(): void {
    if (this.polling) return;
    this.polling = this.pollOnce().finally(() => (this.polling = undefined));
  }

  private async pollOnce(): Promise<void> {
    try {
      if (!this.poller) {
        this.poller = new pg.Client({ connectionString: this.adminDsn });
        await this.poller.connect();
      }
      const { rows } = await this.poller.query<{ state: string; query: string }>(
        `SELECT state, query FROM pg_stat_activity
          WHERE datname = $1 AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)') AND pid <> pg_backend_pid()`,
        [this.database],
      );
      this.polls++;
      for (const r of rows) {
        const key = (r.state === 'active' ? '' : `${r.state} after: `) + statementLabel(r.query);
        this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
      }
    } catch {
      void this.poller?.end().catch(() => undefined);
      this.poller = undefined; // reconnect at the next poll
    }
  }

  /** The polls since the last call: average backends per statement, the STATEMENTS_KEPT most. */
  private takeStatements(): Record<string, number> {
    const polls = this.polls;
    const out = Object.fromEntries(
      [...this.seen]
        .sort((a, b) => b[1] - a[1])
        .slice(0, STATEMENTS_KEPT)
        .map(([k, n]) => [k, Math.round((n / Math.max(1, polls)) * 1000) / 1000]),
    );
    this.seen = new Map();
    this.polls = 0;
    return out;
  }

  private last?: { at: number; xacts: number; walBytes: number };

  /**
   * Busy backends by state and wait event; since the last sample, the database's committed
   * transactions per second and the WAL the whole server wrote (MiB/s, pg_stat_wal); and what the
   * checkpointer was doing: Activity:CheckpointerMain between checkpoints, Timeout:CheckpointWriteDelay
   * while it spreads one out, IO:… while it writes or syncs the data files (what can stall commits).
   */
  async sample(): Promise<PgSample> {
    try {
      if (!this.client) {
        this.client = new pg.Client({ connectionString: this.adminDsn });
        await this.client.connect();
      }
      const { rows } = await this.client.query<{ k: string; n: number }>(
        `SELECT state || ' ' || COALESCE(wait_event_type || ':' || wait_event, 'CPU') AS k, count(*)::int AS n
           FROM pg_stat_activity WHERE datname = $1 AND state IS NOT NULL AND state <> 'idle' AND pid <> pg_backend_pid() GROUP BY 1`,
        [this.database],
      );
      const x = await this.client.query<{ xacts: string; wal_bytes: string | null; checkpointer: string | null }>(
        `SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1) AS xacts,
                (SELECT wal_bytes FROM pg_stat_wal) AS wal_bytes,
                (SELECT COALESCE(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity WHERE backend_type = 'checkpointer') AS checkpointer`,
        [this.database],
      );
      // A poll that began before this sample counts in it, not in the next one.
      await this.polling;
      const r = x.rows[0];
      const now = { at: performance.now(), xacts: Number(r?.xacts ?? 0), walBytes: Number(r?.wal_bytes ?? 0) };
      const sec = this.last ? Math.max(1e-3, (now.at - this.last.at) / 1000) : 0;
      const out: PgSample = {
        backends: Object.fromEntries(rows.map((row) => [row.k, row.n])),
        statements: this.takeStatements(),
        xactPerSec: this.last ? (now.xacts - this.last.xacts) / sec : 0,
        walMiBPerSec: this.last ? Math.max(0, now.walBytes - this.last.walBytes) / 2 ** 20 / sec : 0,
        checkpointer: r?.checkpointer ?? '',
      };
      this.last = now;
      return out;
    } catch {
      return { ...NO_PG_SAMPLE };
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pollTimer);
    await this.poller?.end().catch(() => undefined);
    await this.client?.end().catch(() => undefined);
  }
}
