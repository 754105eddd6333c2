import { createHash } from 'node:crypto';
import { newId } from '#common';
import { Config, ConfigStore } from '#config';
import { Database, Queryable } from '#db';

/** Advisory lock key that serialises writers of the active config (saves and the first seed). */
const CONFIG_LOCK_KEY = 7_340_862;

/**
 * Two saves at once would both deactivate nothing and both insert an active row, and the unique
 * index on the active row would fail the second (seen when three nodes started together).
 */
async function lockConfigurations(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1)', [CONFIG_LOCK_KEY]);
}

async function insertActive(tx: Queryable, config: Config): Promise<void> {
  const value = JSON.stringify(config);
  await tx.query('INSERT INTO configurations (id, value, create_at, active, sha) VALUES ($1, $2, $3, true, $4)', [
    newId(),
    value,
    Date.now(),
    createHash('sha256').update(value).digest('hex'),
  ]);
}

/**
 * The config in the database (Mattermost's Configurations table): every save is a new row and
 * the newest is active, so all nodes of a cluster read the same config.
 */
export class DatabaseConfigStore implements ConfigStore {
  constructor(private readonly db: Database) {}

  async load(): Promise<unknown> {
    const rows = await this.db.query<{ value: string }>('SELECT value FROM configurations WHERE active');
    return rows[0] ? JSON.parse(rows[0].value) : undefined;
  }

  async save(config: Config): Promise<void> {
    await this.db.transaction(async (tx) => {
      await lockConfigurations(tx);
      await tx.query('UPDATE configurations SET active = false WHERE active');
      await insertActive(tx, config);
    });
  }

  /** The first node to start seeds the table with its config; the others adopt that one. */
  async seed(config: Config): Promise<unknown> {
    return this.db.transaction(async (tx) => {
      await lockConfigurations(tx);
      const rows = await tx.query<{ value: string }>('SELECT value FROM configurations WHERE active');
      if (rows[0]) return JSON.parse(rows[0].value) as unknown;
      await insertActive(tx, config);
      return config;
    });
  }

  /** The active row's hash: nodes compare it to notice a change they were not told about. */
  async activeSha(): Promise<string | undefined> {
    const rows = await this.db.query<{ sha: string }>('SELECT sha FROM configurations WHERE active');
    return rows[0]?.sha;
  }
}
