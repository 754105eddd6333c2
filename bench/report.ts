/** Turns bench:core results into a table for the terminal and a section of docs/benchmarks.md. */
import type { CpuSplit, MachineInfo } from './machine.js';
import type { PgbenchResult } from './pgbench.js';
import { round, type Summary } from './stats.js';

export interface Throughput {
  count: number;
  errors: number;
  errorSamples: string[];
  perSec: number;
  latency: Summary;
  cpu: CpuSplit;
}

export interface Target {
  name: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface CoreResults {
  date: string;
  command: string;
  machine: MachineInfo;
  /** 1-minute load average when the measurements ended (other work on the machine skews figures). */
  loadAverageAfter1m: number;
  users: number;
  seedSec: number;
  logins: Throughput & { concurrency: number };
  postsAtRate: Throughput & { ratePerSec: number; durationSec: number; maxSendLagMs: number };
  postsMax: Throughput & { concurrency: number; durationSec: number };
  getPosts: Throughput & { concurrency: number; durationSec: number; perPage: number; postsInChannel: number };
  fanout: { sockets: number; posts: number; openSec: number; latency: Summary; failures: number; errorSamples: string[]; cpu: CpuSplit };
  idleSockets: { sockets: number; rssBeforeKiB: number; rssAfterKiB: number; perSocketKiB: number; heapPerSocketKiB: number };
  /** The web app's start-up burst (bench/app-startup.ts), each user in `channelsPerUser` channels sorted into categories. */
  startup: Throughput & { concurrency: number; durationSec: number; channelsPerUser: number; requestsPerStartup: number; seedSec: number };
  /** The global threads view (first page, extended) of a user following `followed` threads. */
  threadList: Throughput & { concurrency: number; durationSec: number; followed: number; perPage: number };
  pgbench: PgbenchResult & { postCreateRatioPercent: number };
  /**
   * pgbench running the server's own post transaction in the bench's channel (no server): the
   * database's ceiling for this work, and the server's max post rate as a share of it.
   */
  postTransaction: PgbenchResult & { postCreateRatioPercent: number; insertRatioPercent: number };
  targets: Target[];
}

export const SECTION_HEADING = '## bench:core';

/**
 * Replaces the section that starts with the exact line `heading` (up to the next `## ` heading)
 * or appends it; everything else in the document stays as it was.
 */
export function replaceSection(doc: string, heading: string, section: string): string {
  const body = section.endsWith('\n') ? section : `${section}\n`;
  const lines = doc.split('\n');
  const start = lines.findIndex((l) => l.trimEnd() === heading);
  if (start === -1) {
    const base = doc.trimEnd();
    return base ? `${base}\n\n${body}` : body;
  }
  let end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  if (end === -1) end = lines.length;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  return `${before ? `${before}\n` : ''}${body}${after ? `\n${after}` : ''}`;
}

const ms = (v: number) => `${round(v, 1)} ms`;
const lat = (s: Summary) => `p50 ${ms(s.p50)} · p99 ${ms(s.p99)} · max ${ms(s.max)}`;
const waits = (w: Record<string, number>) =>
  Object.entries(w)
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';
/** CPU seconds the machine spent on anything but the server, its PostgreSQL backends and the client. */
export const otherCpu = (c: CpuSplit) => Math.max(0, Math.round((c.machineSec - c.serverSec - c.postgresSec - c.clientSec) * 100) / 100);
/** Other work took more than a tenth of the machine's CPU during the phase: its figures are skewed. */
export const disturbed = (c: CpuSplit, cores: number) => otherCpu(c) > 0.1 * cores * c.wallSec;
const cpu = (c: CpuSplit, cores: number) =>
  `${c.wallSec} s wall: server ${c.serverSec} s, PostgreSQL ${c.postgresSec} s, bench client ${c.clientSec} s, ` +
  `everything else ${otherCpu(c)} s${disturbed(c, cores) ? ' (**disturbed**: other work on the machine competed for the CPU)' : ''}; ` +
  `busy PostgreSQL backends on average: ${waits(c.activeBackends)}`;
const errs = (t: { errors: number; errorSamples: string[] }) => (t.errors ? `${t.errors} (${t.errorSamples[0]})` : '0');

export function renderMarkdown(r: CoreResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(SECTION_HEADING, '');
  out.push(`Command: \`${r.command}\` (builds the server and the benchmark, then runs \`node dist-bench/bench/core.js\`).`, '');
  out.push(
    `Run ${r.date} on ${m.nproc} cores (${m.cpuModel}), ${m.totalRamGiB} GiB RAM, Node ${m.node}, PostgreSQL ${m.postgres}; ` +
      `the server, PostgreSQL and the load generator all on this machine, all traffic over 127.0.0.1 ` +
      `(1-minute load average ${m.loadAverage1m} before the run and ${r.loadAverageAfter1m} after it). One server process, a fresh database, ` +
      `${r.users} users seeded through the REST API in ${r.seedSec} s, all members of one team (so of its Town Square); ` +
      `before the start-up phase every user joins ${r.startup.channelsPerUser - 1} more channels, 5 of them favourites and 20 in a custom category ` +
      `(seeded in ${r.startup.seedSec} s).`,
    '',
  );
  out.push('| Target | Measured | Met |', '|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.name}: ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
  out.push('');
  out.push('| Measurement | Result | Latency | Errors |', '|---|---|---|---|');
  out.push(
    `| Logins (${r.users} users, ${r.logins.concurrency} in flight) | ${round(r.logins.perSec)} logins/s | ${lat(r.logins.latency)} | ${errs(r.logins)} |`,
  );
  out.push(
    `| Post create, open loop at ${r.postsAtRate.ratePerSec}/s for ${r.postsAtRate.durationSec} s (Town Square, rotating authors) | ` +
      `${r.postsAtRate.count} posts, ${round(r.postsAtRate.perSec)} posts/s | ${lat(r.postsAtRate.latency)} | ${errs(r.postsAtRate)} |`,
  );
  out.push(
    `| Post create, max throughput (${r.postsMax.concurrency} in flight, ${r.postsMax.durationSec} s) | ${round(r.postsMax.perSec)} posts/s | ${lat(r.postsMax.latency)} | ${errs(r.postsMax)} |`,
  );
  out.push(
    `| \`GET /channels/{id}/posts?page=0&per_page=${r.getPosts.perPage}\` (${r.getPosts.concurrency} in flight, ${r.getPosts.durationSec} s, ${r.getPosts.postsInChannel} posts in channel) | ` +
      `${round(r.getPosts.perSec)} req/s | ${lat(r.getPosts.latency)} | ${errs(r.getPosts)} |`,
  );
  out.push(
    `| WebSocket fan-out: one post → last of ${r.fanout.sockets} sockets has \`posted\` (${r.fanout.posts} posts, one at a time) | — | ${lat(r.fanout.latency)} | ${r.fanout.failures ? `${r.fanout.failures} (${r.fanout.errorSamples[0]})` : '0'} |`,
  );
  out.push(
    `| Server RSS per idle WebSocket (${r.idleSockets.sockets} sockets) | ${round(r.idleSockets.perSocketKiB)} KiB | RSS ${round(r.idleSockets.rssBeforeKiB / 1024)} → ${round(r.idleSockets.rssAfterKiB / 1024)} MiB; JS heap + external ${round(r.idleSockets.heapPerSocketKiB)} KiB per socket | — |`,
  );
  out.push(
    `| The web app's start-up burst (${r.startup.requestsPerStartup} requests: config, me, teams, unreads, limits, roles, the team's ${r.startup.channelsPerUser} channels and members, categories, thread counts and list, statuses; ${r.startup.concurrency} users at once, ${r.startup.durationSec} s) | ` +
      `${round(r.startup.perSec)} start-ups/s | ${lat(r.startup.latency)} | ${errs(r.startup)} |`,
  );
  out.push(
    `| Global threads view, first ${r.threadList.perPage} (extended), of a user following ${r.threadList.followed} threads (${r.threadList.concurrency} in flight, ${r.threadList.durationSec} s) | ` +
      `${round(r.threadList.perSec)} req/s | ${lat(r.threadList.latency)} | ${errs(r.threadList)} |`,
  );
  out.push(`| \`${r.pgbench.command}\` (single-row INSERT, same PostgreSQL) | ${round(r.pgbench.tps)} TPS | — | — |`);
  out.push(`| Post create max throughput / pgbench TPS | ${round(r.pgbench.postCreateRatioPercent)} % | — | — |`);
  const pt = r.postTransaction;
  out.push(
    `| \`${pt.command}\` (the server's post transaction — latest update_at, INSERT, channel counters and the poster's read state under the channel row lock — by random members of Town Square, no server) | ` +
      `${round(pt.tps)} TPS (${round(pt.insertRatioPercent)} % of single-row INSERT TPS) | — | — |`,
  );
  out.push(`| Post create max throughput / the post transaction's pgbench TPS | ${round(pt.postCreateRatioPercent)} % | — | — |`);
  out.push('');
  out.push(
    `Where the time went in each phase: CPU seconds (user + system; the machine has ${m.nproc} × wall seconds to give) of the ` +
      "server, its PostgreSQL backends, the bench client and everything else on the machine (other processes, kernel), and the server's PostgreSQL backends that were busy, on " +
      'average, by wait event (sampled from `pg_stat_activity` every 100 ms; `CPU` = running, `Lock:…` = waiting for a row lock):',
    '',
  );
  out.push(`- logins: ${cpu(r.logins.cpu, m.nproc)}`);
  out.push(`- post create at ${r.postsAtRate.ratePerSec}/s: ${cpu(r.postsAtRate.cpu, m.nproc)}`);
  out.push(`- post create, max: ${cpu(r.postsMax.cpu, m.nproc)}`);
  out.push(`- get posts: ${cpu(r.getPosts.cpu, m.nproc)}`);
  out.push(`- fan-out: ${cpu(r.fanout.cpu, m.nproc)}`);
  out.push(`- start-up bursts: ${cpu(r.startup.cpu, m.nproc)}`);
  out.push(`- thread list: ${cpu(r.threadList.cpu, m.nproc)}`);
  out.push('');
  out.push(
    'Method: latencies are measured by the client from sending the request to its response (for the open-loop ' +
      "phase, from the request's scheduled send time, so queueing is not hidden); percentiles use the nearest-rank " +
      'method (with 30 fan-out rounds, p99 is the slowest round). Fan-out time runs from sending the POST until the ' +
      'last socket received its `posted` event. RSS per socket is (server VmRSS with all sockets open and idle for ' +
      'a few seconds − VmRSS before opening them) / sockets; each reading is taken after ten seconds of repeated full ' +
      'garbage collections (bench/server-probe.ts, preloaded into the server only by the benchmark), so that garbage ' +
      "from the load phases and V8's delayed return of free heap pages do not hide or inflate the difference. " +
      'Raw JSON: `bench-results/core.json`.',
  );
  return out.join('\n') + '\n';
}

export function renderTable(r: CoreResults): string {
  const rows: Array<[string, string]> = [
    ['logins/s', `${round(r.logins.perSec)}  (${lat(r.logins.latency)}, errors ${r.logins.errors})`],
    [`posts @ ${r.postsAtRate.ratePerSec}/s`, `${lat(r.postsAtRate.latency)}, errors ${r.postsAtRate.errors}`],
    ['posts/s max', `${round(r.postsMax.perSec)}  (${lat(r.postsMax.latency)}, errors ${r.postsMax.errors})`],
    ['get posts req/s', `${round(r.getPosts.perSec)}  (${lat(r.getPosts.latency)}, errors ${r.getPosts.errors})`],
    [`fan-out ${r.fanout.sockets}`, `${lat(r.fanout.latency)}, failures ${r.fanout.failures}`],
    ['start-ups/s', `${round(r.startup.perSec)}  (${r.startup.requestsPerStartup} requests each; ${lat(r.startup.latency)}, errors ${r.startup.errors})`],
    ['thread list req/s', `${round(r.threadList.perSec)}  (${lat(r.threadList.latency)}, errors ${r.threadList.errors})`],
    ['RSS/idle socket', `${round(r.idleSockets.perSocketKiB)} KiB  (JS heap + external ${round(r.idleSockets.heapPerSocketKiB)} KiB)`],
    ['pgbench TPS', `${round(r.pgbench.tps)}`],
    ['post/pgbench', `${round(r.pgbench.postCreateRatioPercent)} %`],
    [
      'post tx pgbench',
      `${round(r.postTransaction.tps)} TPS (${round(r.postTransaction.insertRatioPercent)} % of INSERT TPS); posts/s max = ${round(r.postTransaction.postCreateRatioPercent)} % of it`,
    ],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  lines.push('', ...r.targets.map((t) => `${t.met ? 'MET    ' : 'NOT MET'}  ${t.name}: ${t.target} — measured ${t.measured}`));
  const phases: Array<[string, CpuSplit]> = [
    ['logins', r.logins.cpu],
    ['post create at rate', r.postsAtRate.cpu],
    ['post create max', r.postsMax.cpu],
    ['get posts', r.getPosts.cpu],
    ['fan-out', r.fanout.cpu],
    ['start-up bursts', r.startup.cpu],
    ['thread list', r.threadList.cpu],
  ];
  const skewed = phases.filter(([, c]) => disturbed(c, r.machine.nproc));
  if (skewed.length) lines.push('', `Disturbed by other work on the machine: ${skewed.map(([n, c]) => `${n} (${otherCpu(c)} CPU s)`).join(', ')}`);
  return lines.join('\n');
}
