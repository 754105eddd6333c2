import { Injectable } from '@nestjs/common';
import { Database } from '#db';

/** The systems table: server-wide name/value pairs (Mattermost's Systems store). */
@Injectable()
export class SystemsRepository {
  constructor(private readonly db: Database) {}

  /** The value stored under `name`, storing `value` first if there is none yet (every node may race here). */
  async getOrInsert(name: string, value: string): Promise<string> {
    await this.db.query('INSERT INTO systems (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, value]);
    return (await this.db.query<{ value: string }>('SELECT value FROM systems WHERE name = $1', [name]))[0].value;
  }
}
