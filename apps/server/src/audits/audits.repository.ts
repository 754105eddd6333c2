import { Injectable } from '@nestjs/common';
import { Database } from '#db';
import type { Audit } from './audit.model.js';

const COLUMNS = 'id, create_at, user_id, action, extra_info, ip_address, session_id';

/** The audits table (store/sqlstore/audit_store.go): written once, read newest first. */
@Injectable()
export class AuditsRepository {
  constructor(private readonly db: Database) {}

  async insert(a: Audit): Promise<void> {
    await this.db.query(`INSERT INTO audits (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      a.id,
      a.create_at,
      a.user_id,
      a.action,
      a.extra_info,
      a.ip_address,
      a.session_id,
    ]);
  }

  /** A page of one user's audits, or everyone's when `userId` is ''. */
  async page(userId: string, offset: number, limit: number): Promise<Audit[]> {
    const rows = await this.db.query<Audit>(`SELECT ${COLUMNS} FROM audits WHERE ($1 = '' OR user_id = $1) ORDER BY create_at DESC, id LIMIT $2 OFFSET $3`, [
      userId,
      limit,
      offset,
    ]);
    return rows.map((r) => ({ ...r, create_at: Number(r.create_at) }));
  }
}
