import { Injectable } from '@nestjs/common';
import { Database } from '#db';

/**
 * The config_files table: files an admin uploads through the API that the config names by file
 * name (Mattermost's config store files: SamlSettings.IdpCertificateFile, PublicCertificateFile,
 * PrivateKeyFile). Kept in the database, not on a node's disk, so that a certificate uploaded
 * through one node is the one every node uses, from its next request on.
 */
@Injectable()
export class ConfigFilesRepository {
  constructor(private readonly db: Database) {}

  /** Stores (or replaces) a file. */
  async put(name: string, data: Buffer, now = Date.now()): Promise<void> {
    await this.db.query(
      `INSERT INTO config_files (name, data, create_at, update_at) VALUES ($1, $2, $3, $3)
       ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data, update_at = EXCLUDED.update_at`,
      [name, data, now],
    );
  }

  /** The files of `names` that exist, by name (one round trip for a sign-in's certificates and key). */
  async getMany(names: string[]): Promise<Map<string, Buffer>> {
    const wanted = names.filter(Boolean);
    if (!wanted.length) return new Map();
    const rows = await this.db.query<{ name: string; data: Buffer }>('SELECT name, data FROM config_files WHERE name = ANY($1)', [wanted]);
    return new Map(rows.map((r) => [r.name, r.data]));
  }

  /** Which of `names` exist. */
  async existing(names: string[]): Promise<Set<string>> {
    const wanted = names.filter(Boolean);
    if (!wanted.length) return new Set();
    const rows = await this.db.query<{ name: string }>('SELECT name FROM config_files WHERE name = ANY($1)', [wanted]);
    return new Set(rows.map((r) => r.name));
  }

  /** Deletes a file; false when there was none. */
  async remove(name: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM config_files WHERE name = $1 RETURNING name', [name]);
    return rows.length > 0;
  }
}
