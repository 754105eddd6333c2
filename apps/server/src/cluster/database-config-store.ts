import { createHash } from 'node:crypto';
import { newId } from '#common';
import { Config, ConfigStore } from '#config';
import { Database } from '#db';

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
    const value = JSON.stringify(config);
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE configurations SET active = false WHERE active');
      await tx.query('INSERT INTO configurations (id, value, create_at, active, sha) VALUES ($1, $2, $3, true, $4)', [
        newId(),
        value,
        Date.now(),
        createHash('sha256').update(value).digest('hex'),
      ]);
    });
  }

  /** The active row's hash: nodes compare it to notice a change they were not told about. */
  async activeSha(): Promise<string | undefined> {
    const rows = await this.db.query<{ sha: string }>('SELECT sha FROM configurations WHERE active');
    return rows[0]?.sha;
  }
}
