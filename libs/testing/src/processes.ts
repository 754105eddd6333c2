/**
 * Child processes a test or benchmark starts (servers, nginx, redis-server): tracked so that
 * whatever a crashed or timed-out run leaves behind is killed when this process exits.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) {
    for (const pid of [...childPids(child.pid), child.pid]) {
      try {
        if (pid) process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
});

/** Kills `child` (and its direct children, e.g. nginx workers) if it still runs when this process exits. */
export function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Direct children of a process (nginx workers), from /proc. */
export function childPids(pid: number | undefined): number[] {
  if (!pid) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Neither exited nor killed by a signal (a SIGSTOPped process still runs). */
export const isRunning = (child: ChildProcess | undefined): boolean => !!child && child.exitCode === null && child.signalCode === null;

/** Resolves true once `child` has exited, false if it still runs after `ms`. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((ok) => {
    const timer = setTimeout(() => ok(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      ok(true);
    });
  });
}
