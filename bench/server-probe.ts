/**
 * Preloaded into the benchmarked server with `node --import` (bench:core, requests, notifications
 * and capacity; the server itself knows nothing of it). Signals from the benchmark:
 * - SIGWINCH: a full garbage collection, then `process.memoryUsage()` written to
 *   `<BENCH_PROBE_DIR>/memory-<n>.json`, so memory readings are not skewed by garbage that earlier
 *   load phases left behind.
 * - SIGUSR2 (with BENCH_CPU_PROFILE_DIR): starts or stops V8's CPU profiler; each stop writes
 *   `<BENCH_CPU_PROFILE_DIR>/<n>.cpuprofile` (`--cpu-prof` is not allowed in NODE_OPTIONS, and a
 *   profile per phase is easier to read than one of a whole run). One sample every
 *   BENCH_CPU_PROFILE_INTERVAL_US (4,000 µs): at V8's finer 500 µs the profiler's own thread took
 *   10.6 % of the server's CPU in a capacity hold (perf record of the server, 2026-12-06), which
 *   the hold's CPU per request then counted as the server's; at 4 ms a 180 s hold still gives 45,000
 *   samples.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Written under another name first: the benchmark polls for the file and would read it half written. */
function writeWhole(file: string, text: string): void {
  writeFileSync(`${file}.part`, text);
  renameSync(`${file}.part`, file);
}

const probeDir = process.env.BENCH_PROBE_DIR;
if (probeDir) {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let readings = 0;
  process.on('SIGWINCH', () => {
    gc();
    gc(); // a second pass collects what the first one's finalizers released
    writeWhole(join(probeDir, `memory-${++readings}.json`), JSON.stringify(process.memoryUsage()));
  });
}

const profileDir = process.env.BENCH_CPU_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: Number(process.env.BENCH_CPU_PROFILE_INTERVAL_US ?? 4000) });
  let running = false;
  let written = 0;
  process.on('SIGUSR2', () => {
    if (!running) {
      running = true;
      session.post('Profiler.start');
      return;
    }
    running = false;
    session.post('Profiler.stop', (err, result) => {
      if (err) return void process.stderr.write(`cpu profile failed: ${String(err)}\n`);
      writeWhole(join(profileDir, `${++written}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
