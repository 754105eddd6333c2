/**
 * `npm run jobs -- <command>`: jobs from the command line, against the server's config and database.
 *
 *   run <type> [key=value…]     runs a job here and now, in this process, with a progress bar
 *   create <type> [key=value…]  queues a job for the servers' workers and follows its progress
 *                               (export_process --attachments: mmctl's flag, include_attachments=true)
 *                               (run import_process import_file=<path>: a zip on this machine's disk,
 *                               as mmctl --local import process --bypass-upload; a bare name is a
 *                               file of ImportSettings.Directory in the file store)
 *   list [type]                 the newest jobs (of a type)
 *   get <id>                    one job
 *   cancel <id>                 cancels a pending job, or asks a running one to stop
 *
 * Config comes from MM_CONFIG / MM_* exactly as for the server. Events (job_updated) are not
 * sent from here: this process has no WebSocket clients.
 */
import 'reflect-metadata';
import { statSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { newId } from '#common';
import { ConfigError, ConfigService } from '#config';
import { fileStoreFromConfig } from '#storage';
import { Database, EmbeddedDatabase, startEmbeddedPostgres } from '#db';
import { QueueUnavailableError } from '#jobs';
import { EventPublisher, LocalInvalidationBus } from '#realtime';
import { SessionsRepository } from '../auth/sessions.repository.js';
import { EmailBatchRepository } from '../email/email-batch.repository.js';
import { EmailDigests } from '../email/email-digests.service.js';
import { TokensRepository } from '../email/tokens.repository.js';
import { ChannelMembersRepository } from '../membership/channel-members.repository.js';
import { PreferencesRepository } from '../preferences/preferences.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import { AccessTokensRepository } from '../users/access-tokens.repository.js';
import { createJobHandlers } from './handlers/index.js';
import { JobEvents } from './job-events.js';
import { createMailDriver, createQueueDriver } from './job-infrastructure.js';
import { JobNode, JobRunner } from './job-runner.js';
import { isFinished, JobRow, JobStatus, jobView } from './job.model.js';
import { JobsRepository } from './jobs.repository.js';

/** No WebSocket clients are connected to the CLI: events go nowhere. */
class NoSockets extends EventPublisher {
  async publishConfirmed(): Promise<void> {}
  protected async send(): Promise<void> {}
}

const USAGE = `usage: npm run jobs -- run <type> [key=value…] | create <type> [key=value…] | list [type] | get <id> | cancel <id>
  export_process takes --attachments (the files of the posts, into the archive's data/) as mmctl export create does
  run import_process import_file=<path> imports a zip of this machine's disk (a bare name: a file of ImportSettings.Directory)`;

/** mmctl's flags for a job type, as the job data they stand for. */
const FLAGS: Record<string, Record<string, Record<string, string>>> = {
  export_process: { '--attachments': { include_attachments: 'true' } },
};

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const config = ConfigService.fromEnv();
  const { db, embedded } = await connect(config);
  const repo = new JobsRepository(db);
  try {
    switch (command) {
      case 'run':
        return await run(config, db, repo, args);
      case 'create':
        return await create(config, db, repo, args);
      case 'list': {
        const rows = await repo.newest(args[0], 30);
        for (const r of rows)
          console.log(
            `${r.id}  ${r.type.padEnd(30)} ${r.status.padEnd(16)} ${String(r.progress).padStart(3)}%  ${new Date(r.create_at).toISOString()}  ${r.node_id}`,
          );
        return 0;
      }
      case 'get': {
        const row = await repo.get(args[0] ?? '');
        if (!row) return fail(`no job ${args[0]}`);
        console.log(JSON.stringify({ ...jobView(row), attempts: row.attempts, node_id: row.node_id }, null, 2));
        return 0;
      }
      case 'cancel': {
        const id = args[0] ?? '';
        const done =
          (await repo.casStatus(id, JobStatus.Pending, JobStatus.Canceled)) ?? (await repo.casStatus(id, JobStatus.InProgress, JobStatus.CancelRequested));
        if (!done) return fail(`job ${id} is not pending or running`);
        console.log(`${id}: ${done.status}`);
        return 0;
      }
      default:
        return fail(USAGE);
    }
  } finally {
    await db.close();
    if (embedded) await embedded.stop();
  }
}

/** Runs the job in this process: created already claimed, so no server's worker takes it too. */
async function run(config: ConfigService, db: Database, repo: JobsRepository, args: string[]): Promise<number> {
  const [type, ...pairs] = args;
  const cfg = config.get();
  const mail = createMailDriver(config);
  const handlers = createJobHandlers({
    db,
    config,
    files: fileStoreFromConfig(cfg),
    mail,
    invalidation: new LocalInvalidationBus(),
    sessions: new SessionsRepository(db),
    accessTokens: new AccessTokensRepository(db),
    tokens: new TokensRepository(db),
    importLocalFiles: true,
    emailDigests: new EmailDigests(
      db,
      config,
      new EmailBatchRepository(db),
      new PreferencesRepository(db),
      new ChannelMembersRepository(db),
      new UsersRepository(db),
      mail,
    ),
  });
  if (!type || !handlers.has(type))
    return fail(
      `unknown job type ${JSON.stringify(type ?? '')}; one of: ${handlers
        .all()
        .map((h) => h.type)
        .join(', ')}`,
    );
  const node = new JobNode(`cli:${hostname()}:${process.pid}`);
  const runner = new JobRunner(repo, handlers, new JobEvents(new NoSockets()), config, node);
  const claimId = newId();
  const data = jobData(type, pairs);
  if (type === 'import_process') localImportFile(data);
  const row = await repo.insertClaimed(type, data, claimId, node.id);
  console.error(`job ${row.id} (${type}) running here; Ctrl-C cancels it`);
  const stop = new AbortController();
  const interrupt = () => {
    void repo.casStatus(row.id, JobStatus.InProgress, JobStatus.CancelRequested);
    stop.abort('cancel');
  };
  process.once('SIGINT', interrupt);
  const progress = new ProgressLine(type);
  const final = await runner.runClaimed(row, claimId, { signal: stop.signal, onProgress: (p) => progress.show(p) });
  process.off('SIGINT', interrupt);
  progress.done();
  return report(final);
}

/** Queues the job for the servers and follows it until it ends. */
async function create(config: ConfigService, db: Database, repo: JobsRepository, args: string[]): Promise<number> {
  const [type, ...pairs] = args;
  if (!type) return fail(USAGE);
  const row = await repo.insert(type, jobData(type, pairs));
  const driver = createQueueDriver(config.get());
  try {
    if (driver.kind === 'bullmq') {
      await driver.waitUntilConnected(3000);
      await driver.enqueue(type, row.id).catch((err) => {
        if (!(err instanceof QueueUnavailableError)) throw err;
        console.error(`the queue is unreachable; the job stays pending until it is back (${err.message})`);
      });
    } else {
      console.error('in-process queue: a running server picks the job up within 15 s');
    }
  } finally {
    await driver.close();
  }
  console.error(`job ${row.id} (${type}) queued`);
  const progress = new ProgressLine(type);
  for (;;) {
    const current = await repo.get(row.id);
    if (!current) return fail(`job ${row.id} disappeared`);
    if (current.progress >= 0) progress.show(current.progress);
    if (isFinished(current.status)) {
      progress.done();
      return report(current);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function report(row: JobRow | undefined): number {
  if (!row) return fail('the job is gone');
  console.log(JSON.stringify(jobView(row), null, 2));
  return row.status === JobStatus.Success || row.status === JobStatus.Warning ? 0 : 1;
}

/** A bar redrawn in place on a terminal; a line per 10 % otherwise (logs, CI). */
class ProgressLine {
  private last = -1;
  constructor(private readonly label: string) {}

  show(percent: number): void {
    const p = Math.max(0, Math.min(100, Math.floor(percent)));
    if (p === this.last) return;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round((p / 100) * width);
      process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p).padStart(3)}%`);
    } else if (Math.floor(p / 10) !== Math.floor(this.last / 10) || p === 100) {
      process.stderr.write(`${this.label} ${p}%\n`);
    }
    this.last = p;
  }

  done(): void {
    if (process.stderr.isTTY && this.last >= 0) process.stderr.write('\n');
  }
}

/** A job's data from the command line: key=value pairs, and the flags its type knows. */
function jobData(type: string, pairs: string[]): Record<string, string> {
  const data: Record<string, string> = {};
  for (const pair of pairs) {
    if (pair.startsWith('--')) {
      const flag = FLAGS[type]?.[pair];
      if (!flag) throw new Error(`unknown flag ${pair} for ${type}`);
      Object.assign(data, flag);
      continue;
    }
    const i = pair.indexOf('=');
    if (i <= 0) throw new Error(`expected key=value, got ${JSON.stringify(pair)}`);
    data[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return data;
}

/**
 * `run import_process import_file=<path>`: a path to a file on this machine is read from here
 * (Mattermost's local_mode); a name that is no file here stays a name in ImportSettings.Directory.
 */
function localImportFile(data: Record<string, string>): void {
  const file = data.import_file;
  if (!file || !statSync(file, { throwIfNoEntry: false })?.isFile()) return;
  data.import_file = resolve(file);
  data.local_mode = 'true';
}

async function connect(config: ConfigService): Promise<{ db: Database; embedded?: EmbeddedDatabase }> {
  const sql = config.get().SqlSettings;
  let url = sql.DataSource;
  let embedded: EmbeddedDatabase | undefined;
  if (!url) {
    // The embedded database can only be opened while the server that owns it is stopped.
    embedded = await startEmbeddedPostgres(config.get().FileSettings.Directory || './data', (m) => console.error(m));
    url = embedded.dataSource;
  }
  const db = await Database.connect({ url, maxConnections: 4, queryTimeoutSeconds: sql.QueryTimeout });
  await db.migrate();
  return { db, embedded };
}

function fail(message: string): number {
  console.error(message);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof ConfigError ? `Invalid configuration: ${err.message}` : `jobs: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  },
);
