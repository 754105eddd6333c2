/** What every benchmark does around its measurements: publish the figures, clean up however the run ends. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { replaceSection } from './report.js';

export const ROOT = resolve(import.meta.dirname, '../..'); // dist-bench/bench → the repo

export interface Publication {
  /** bench-results/<name>.json */
  name: string;
  /** The section of docs/benchmarks.md it rewrites ("## bench:core"). */
  heading: string;
  results: unknown;
  markdown: string;
  /** Shrunk or profiled runs write bench-results/<name>.dev.json only: the published figures and their raw JSON stay. */
  developmentRun?: boolean;
}

/** Writes the raw JSON and the docs section; says what it wrote. */
export function publishResults(p: Publication): string {
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  const json = JSON.stringify(p.results, null, 2) + '\n';
  if (p.developmentRun) {
    writeFileSync(join(ROOT, `bench-results/${p.name}.dev.json`), json);
    return `Wrote bench-results/${p.name}.dev.json (a development run: ${p.name}.json and docs/benchmarks.md left as they were)`;
  }
  writeFileSync(join(ROOT, `bench-results/${p.name}.json`), json);
  const docPath = join(ROOT, 'docs/benchmarks.md');
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  const doc = existsSync(docPath)
    ? readFileSync(docPath, 'utf8')
    : '# Benchmarks\n\nFigures measured on real runs; each section is rewritten by the command it names.\n';
  writeFileSync(docPath, replaceSection(doc, p.heading, p.markdown));
  return `Wrote docs/benchmarks.md (${p.heading}) and bench-results/${p.name}.json`;
}

export interface BenchRun<R> {
  /** "bench:core", for messages. */
  command: string;
  log: (msg: string) => void;
  main: () => Promise<R>;
  /** Releases servers, sockets and processes; called on SIGINT/SIGTERM, after the run and after a failure. */
  cleanup: () => Promise<void>;
  /** Publishes the results; returns what it wrote. */
  publish: (results: R) => string;
  table: (results: R) => string;
  /** The servers' output to show when the run fails. */
  failureOutput: () => string | undefined;
}

/** Runs a benchmark to the end and exits: keep-alive connections must not hold the process open once everything is released. */
export async function runBench<R>(run: BenchRun<R>): Promise<never> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      run.log(`${signal}: cleaning up`);
      void run.cleanup().finally(() => process.exit(130));
    });
  }
  let exitCode = 0;
  try {
    const results = await run.main();
    await run.cleanup();
    const written = run.publish(results);
    process.stdout.write(`\n${run.table(results)}\n\n${written}\n`);
  } catch (err) {
    exitCode = 1;
    process.stderr.write(`${run.command} failed: ${err?.stack ?? err}\n`);
    const output = run.failureOutput();
    if (output) process.stderr.write(output);
  } finally {
    await run.cleanup();
  }
  process.exit(exitCode);
}
