import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import { RoleRow } from './role.model.js';

const COLUMNS = 'id, name, display_name, description, create_at, update_at, delete_at, permissions, scheme_managed, built_in';

/** The roles table. bigint columns come back as strings from pg; they are numbers on the wire. */
function toRow(r: RoleRow): RoleRow {
  return { ...r, create_at: Number(r.create_at), update_at: Number(r.update_at), delete_at: Number(r.delete_at) };
}

@Injectable()
export class RolesRepository {
  constructor(private readonly db: Database) {}

  async all(): Promise<RoleRow[]> {
    return (await this.db.query<RoleRow>(`SELECT ${COLUMNS} FROM roles ORDER BY name`)).map(toRow);
  }

  async setPermissions(id: string, permissions: string, updateAt: number): Promise<RoleRow | undefined> {
    const rows = await this.db.query<RoleRow>(`UPDATE roles SET permissions = $2, update_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [
      id,
      permissions,
      updateAt,
    ]);
    return rows[0] && toRow(rows[0]);
  }
}
