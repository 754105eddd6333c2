/**
 * bench:capacity's read-replica variant (issue 16: more supported users with a replica). Both
 * halves run on one PostgreSQL primary of the benchmark's own with a streaming replica
 * (startPostgresReplicaPair, durable like the machine's PostgreSQL), seeded once: one node on the
 * primary alone, then one node on the primary with SqlSettings.DataSourceReplicas naming the
 * replica. Same data, same PostgreSQL settings: the difference is the replica. (The second half
 * starts on the data the first half's users added; the replica catches up before it starts.)
 * The primary and the replica run on this machine's cores too, so the replica helps only as far
 * as it takes reads off the primary's backends without costing more CPU than it saves.
 */
import { startPostgresReplicaPair, type PostgresReplicaPair } from '#testing';
import type { LoadTestConfig } from '../config.js';
import { startSingleNode, type Target } from '../run/target.js';
import { seed, type SeedSummary } from '../seed/seed.js';

export type ReplicaHalf = 'primary only' | 'primary + 1 replica';

/** The replica's settings for the second half: a 10 s lag limit, the monitor's default interval. */
function replicaEnv(pair: PostgresReplicaPair): Record<string, string> {
  return {
    MM_SQLSETTINGS_DATASOURCEREPLICAS: JSON.stringify([pair.replica.url()]),
    MM_SQLSETTINGS_REPLICALAGSETTINGS: JSON.stringify([{ DataSource: pair.replica.url(), QueryAbsoluteLag: '', QueryTimeLag: '', MaxTimeLagSeconds: 10 }]),
  };
}

/**
 * Runs `run` on one node without, then with, the replica. `run` gets a Target whose
 * databaseUrl is the primary's (for the database statistics the driver samples).
 */
export async function withAndWithoutReplica<R>(
  config: LoadTestConfig,
  run: (target: Target, half: ReplicaHalf) => Promise<R>,
  log: (line: string) => void,
): Promise<{ seed: SeedSummary; without: R; with: R }> {
  const pair = await startPostgresReplicaPair({ durable: true });
  try {
    const start = async (env: Record<string, string>): Promise<Target> => {
      const target = await startSingleNode({ database: pair.database, env: { MM_SQLSETTINGS_DATASOURCE: pair.primary.url(), ...env } });
      return {
        ...target,
        databaseUrl: pair.primary.url(),
        database: undefined,
        description: `${target.description.replace(/, database .*$/, '')}, primary ${pair.primary.url()}`,
      };
    };
    let target = await start({});
    let summary: SeedSummary;
    let without: R;
    try {
      log(`replica variant: seeding the primary on port ${pair.primary.port}`);
      summary = await seed({ ...config, target: { ...config.target, url: target.url, databaseUrl: pair.primary.url() } });
      log(`replica variant: primary only: ${target.description}`);
      without = await run(target, 'primary only');
    } finally {
      await target.stop({ keepDatabase: true });
    }
    await pair.caughtUp(300_000);
    target = await start(replicaEnv(pair));
    try {
      target.description += `, replica ${pair.replica.url()}`;
      log(`replica variant: primary + 1 replica: ${target.description}`);
      return { seed: summary, without, with: await run(target, 'primary + 1 replica') };
    } finally {
      await target.stop({ keepDatabase: true });
    }
  } finally {
    await pair.stop();
  }
}
