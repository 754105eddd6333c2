/**
 * The load test's command line (compiled to dist-loadtest/apps/loadtest/src/cli.js):
 *
 *   seed   build the data set on a server:          npm run loadtest:seed -- --url … --db … --users 2000
 *   run    simulate users, bounded or unbounded:    npm run loadtest -- --mode unbounded --start-server
 *
 * Every parameter is in apps/loadtest/config/default.json; `--config file` merges another file
 * over it and `--set path=value` overrides one setting. The flags below are shortcuts for the
 * common ones. Run with --help for the list.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ADMIN_DSN } from '#testing';
import { machineInfoOrNote } from './run/machine.js';
import { applySetting, loadConfig, repoRoot, validateConfig, type LoadTestConfig } from './config.js';
import { runLoad, type Mode } from './run/driver.js';
import { startCluster, startSingleNode, urlTarget, type Target } from './run/target.js';
import { buildReport, summaryText, writeReport, type Report } from './report/report.js';
import { seed } from './seed/seed.js';

const HELP = `usage:
  loadtest seed [options]   build the data set (teams, users, channels, DMs, GMs, posts)
  loadtest run  [options]   simulated users: --mode bounded (default) or unbounded

target (loopback only):
  --url URL                 the node, or the nginx in front of several (default target.url)
  --db DSN                  the server's PostgreSQL (bulk seeding paths; default target.databaseUrl)
  --server-pid PID[,PID]    processes to report CPU/RSS for (default: whoever listens on the URL's port)
  --start-server            run: start one node here (fresh database, seeded first, stopped at the end)
  --start-cluster N         run: start N cluster nodes on 127.0.0.1..N behind nginx (seeded first)
  --cpu-prof DIR            with --start-*: V8 CPU profile of each node into DIR (node --cpu-prof)
  --keep-database           with --start-*: keep the database at the end

data set (seed, and run with --start-*):
  --users N --teams N --channels N --dms N --gms N --posts N

run:
  --mode bounded|unbounded
  --users N                 bounded: simulated users (seeded users, more sign up)
  --duration SEC            bounded: how long to hold them
  --max-users N             unbounded: upper bound (coordinator.maxActiveUsers)
  --max-duration SEC        unbounded: time limit (coordinator.maxDurationSec)
  --stable-window SEC       unbounded: supported users = average over this last window
  --workers N               generator worker threads
  --out DIR                 report folder (default: output.dir/<time>-<mode>)

  --config FILE             merged over config/default.json (several allowed)
  --set path=value          one setting, e.g. --set userController.rate=1 (several allowed)
`;

interface Cli {
  command: string;
  values: Record<string, string | boolean | string[] | undefined>;
}

function parse(argv: string[]): Cli {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string' },
      db: { type: 'string' },
      'server-pid': { type: 'string' },
      'start-server': { type: 'boolean' },
      'start-cluster': { type: 'string' },
      'cpu-prof': { type: 'string' },
      'keep-database': { type: 'boolean' },
      users: { type: 'string' },
      teams: { type: 'string' },
      channels: { type: 'string' },
      dms: { type: 'string' },
      gms: { type: 'string' },
      posts: { type: 'string' },
      mode: { type: 'string' },
      duration: { type: 'string' },
      'max-users': { type: 'string' },
      'max-duration': { type: 'string' },
      'stable-window': { type: 'string' },
      workers: { type: 'string' },
      out: { type: 'string' },
      config: { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
    },
  });
  return { command: positionals[0] ?? '', values };
}

/** The configuration with the command line's shortcuts applied. */
export function configFromCli(cli: Cli): LoadTestConfig {
  const v = cli.values;
  let config = loadConfig({ files: v.config as string[] | undefined, set: v.set as string[] | undefined });
  const set = (path: string, value: unknown) => {
    if (value !== undefined) config = applySetting(config, `${path}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  };
  set('target.url', v.url);
  set('target.databaseUrl', v.db);
  if (typeof v['server-pid'] === 'string') config.target.serverPids = v['server-pid'].split(',').map(Number);
  set('coordinator.maxActiveUsers', v['max-users']);
  set('coordinator.maxDurationSec', v['max-duration']);
  set('coordinator.stableWindowSec', v['stable-window']);
  set('generator.workers', v.workers);
  set('bounded.durationSec', v.duration);
  if (cli.command === 'seed') set('seed.users', v.users);
  else set('bounded.users', v.users);
  set('seed.teams', v.teams);
  set('seed.directChannels', v.dms);
  set('seed.groupChannels', v.gms);
  set('seed.posts', v.posts);
  if (typeof v.channels === 'string') {
    // Public and private in the default proportion (30/70, as the ceiling tests' data set).
    const n = Number(v.channels);
    const pub = Math.round(n * (config.seed.publicChannels / Math.max(1, config.seed.publicChannels + config.seed.privateChannels)));
    config.seed.publicChannels = pub;
    config.seed.privateChannels = n - pub;
  }
  validateConfig(config);
  return config;
}

export async function startTarget(cli: Cli, config: LoadTestConfig): Promise<Target> {
  const v = cli.values;
  const cpuProfileDir = typeof v['cpu-prof'] === 'string' ? resolve(v['cpu-prof']) : undefined;
  if (v['start-server']) return startSingleNode({ cpuProfileDir });
  if (typeof v['start-cluster'] === 'string') return startCluster(Number(v['start-cluster']), { cpuProfileDir });
  return urlTarget(config.target.url, config.target.serverPids, config.target.databaseUrl);
}

export interface RunOutcome {
  report: Report;
  files: { json: string; svg: string };
}

/** One run against a target: writes the report and chart, prints the summary. */
export async function runAndReport(
  config: LoadTestConfig,
  target: Target,
  mode: Mode,
  opts: {
    out?: string;
    command: string;
    stopSignal?: AbortSignal;
    log?: (l: string) => void;
    onPhase?: (phase: 'hold' | 'end') => void | Promise<void>;
    onTick?: Parameters<typeof runLoad>[0]['onTick'];
  },
): Promise<RunOutcome> {
  const withTarget = { ...config, target: { ...config.target, url: target.url } };
  const machine = await machineInfoOrNote(ADMIN_DSN);
  const result = await runLoad({ config: withTarget, target, mode, stopSignal: opts.stopSignal, log: opts.log, onPhase: opts.onPhase, onTick: opts.onTick });
  const report = buildReport({ result, config: withTarget, target, machine, command: opts.command });
  const dir = opts.out ?? join(resolve(repoRoot(), config.output.dir), `${result.startedAt.replace(/[:.]/g, '-').slice(0, 19)}-${mode}`);
  const files = writeReport(dir, report);
  (opts.log ?? console.log)(`\n${summaryText(report)}\nreport: ${files.json}\nchart:  ${files.svg}`);
  return { report, files };
}

async function main(argv: string[]): Promise<number> {
  const cli = parse(argv);
  if (cli.values.help || !['seed', 'run'].includes(cli.command)) {
    process.stdout.write(HELP);
    return cli.values.help ? 0 : 2;
  }
  const config = configFromCli(cli);
  const command = `loadtest ${argv.join(' ')}`;
  if (cli.command === 'seed') {
    await seed(config);
    return 0;
  }
  const mode = (cli.values.mode ?? 'bounded') as Mode;
  if (mode !== 'bounded' && mode !== 'unbounded') throw new Error(`--mode must be bounded or unbounded, got ${mode}`);
  const started = cli.values['start-server'] || cli.values['start-cluster'];
  const target = await startTarget(cli, config);
  const stop = new AbortController();
  const onSignal = () => {
    process.stderr.write('\nstopping (signal); the report is written at the end\n');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (started) await seed({ ...config, target: { ...config.target, url: target.url, databaseUrl: target.databaseUrl ?? '' } });
    await runAndReport(config, target, mode, { out: cli.values.out as string | undefined, command, stopSignal: stop.signal });
  } finally {
    await target.stop({ keepDatabase: Boolean(cli.values['keep-database']) });
  }
  return 0;
}

if (process.argv[1] && import.meta.filename === resolve(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err?.stack ?? err}\n`);
      process.exit(1);
    },
  );
}
