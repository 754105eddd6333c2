/** What the benchmark ran on, and per-process readings from /proc (Linux only). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { loadavg, totalmem } from 'node:os';
import pg from 'pg';

export interface MachineInfo {
  nproc: number;
  cpuModel: string;
  totalRamGiB: number;
  node: string;
  postgres: string;
  loadAverage1m: number;
}

export async function machineInfo(adminDsn: string): Promise<MachineInfo> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const admin = new pg.Client({ connectionString: adminDsn });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ server_version: string }>('SHOW server_version');
    return {
      nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
      cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
      totalRamGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
      node: process.version,
      postgres: rows[0].server_version,
      loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
    };
  } finally {
    await admin.end();
  }
}

/** Resident set size of a process, in KiB (VmRSS from /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/** User + system CPU seconds used so far by one process. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SEC;
}

/**
 * The machine's CPU seconds so far, from /proc/stat's first line: busy (what all processes used,
 * steal included), and of those idle with I/O outstanding (iowait) and given by the hypervisor to
 * other guests (steal).
 */
export function machineCpuSeconds(read: (path: string) => string = (path) => readFileSync(path, 'utf8')): { busy: number; iowait: number; steal: number } {
  const [user, nice, system, , iowait, irq, softirq, steal = 0] = read('/proc/stat').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq + steal) / TICKS_PER_SEC, iowait: (iowait ?? 0) / TICKS_PER_SEC, steal: steal / TICKS_PER_SEC };
}

/** CPU seconds that all processes on the machine used so far (from /proc/stat). */
export function machineBusySeconds(): number {
  return machineCpuSeconds().busy;
}

/** The PostgreSQL backends serving one database (the server's connection pool). */
export async function backendPids(adminDsn: string, database: string): Promise<number[]> {
  const admin = new pg.Client({ connectionString: adminDsn });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    return rows.map((r) => r.pid);
  } finally {
    await admin.end();
  }
}

function cpuByPid(pids: number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const pid of pids) {
    try {
      m.set(pid, cpuSeconds(pid));
    } catch {
      /* the backend ended meanwhile */
    }
  }
  return m;
}

/**
 * CPU seconds that the server, its PostgreSQL backends and this client used during `fn`: where the
 * time went. Only the server database's backends are counted (other work on the machine's
 * PostgreSQL is not ours); a backend that ends during `fn` takes its share with it, which the
 * server's steady connection pool avoids.
 */
export async function cpuSplit<T>(server: { pid: number; database: string }, adminDsn: string, fn: () => Promise<T>): Promise<{ result: T; cpu: CpuSplit }> {
  const m0 = machineBusySeconds();
  const s0 = cpuSeconds(server.pid);
  const p0 = cpuByPid(await backendPids(adminDsn, server.database));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const waits = sampleBackendWaits(adminDsn, server.database);
  const outcome = await fn().then(
    (value) => ({ value }),
    (error) => ({ error }),
  );
  const c1 = process.cpuUsage(c0);
  const activeBackends = await waits.stop();
  if ('error' in outcome) throw outcome.error;
  const wallSec = (performance.now() - t0) / 1000;
  const s1 = cpuSeconds(server.pid);
  const machineSec = machineBusySeconds() - m0;
  let pgSec = 0;
  for (const [pid, sec] of cpuByPid(await backendPids(adminDsn, server.database))) pgSec += sec - (p0.get(pid) ?? 0);
  return {
    result: outcome.value,
    cpu: {
      wallSec: round2(wallSec),
      serverSec: round2(s1 - s0),
      postgresSec: round2(pgSec),
      clientSec: round2((c1.user + c1.system) / 1e6),
      machineSec: round2(machineSec),
      activeBackends,
    },
  };
}

export interface CpuSplit {
  wallSec: number;
  serverSec: number;
  postgresSec: number;
  clientSec: number;
  /** Busy CPU seconds of the whole machine: what exceeds server + PostgreSQL + client is someone else's. */
  machineSec: number;
  /** Average PostgreSQL backends of the server busy per wait event ("CPU" = running). */
  activeBackends: Record<string, number>;
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * What the server's PostgreSQL backends were doing during a phase, sampled from pg_stat_activity
 * every `everyMs`: per wait event (or "CPU" when running without one), the average number of
 * backends in it. Lock waits here mean requests queue on the same rows.
 */
export function sampleBackendWaits(adminDsn: string, database: string, everyMs = 100) {
  const admin = new pg.Client({ connectionString: adminDsn });
  const totals = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    await admin.connect();
    while (!stopped) {
      const { rows } = await admin.query<{ wait: string; n: number }>(
        `SELECT COALESCE(wait_event_type || ':' || wait_event, 'CPU') AS wait, count(*)::int AS n
           FROM pg_stat_activity WHERE datname = $1 AND state = 'active' GROUP BY 1`,
        [database],
      );
      samples++;
      for (const r of rows) totals.set(r.wait, (totals.get(r.wait) ?? 0) + r.n);
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await admin.end();
  })();
  return {
    async stop(): Promise<Record<string, number>> {
      stopped = true;
      await loop.catch(() => undefined);
      const out: Record<string, number> = {};
      for (const [wait, n] of [...totals].sort((a, b) => b[1] - a[1])) out[wait] = round2(n / Math.max(1, samples));
      return out;
    },
  };
}
